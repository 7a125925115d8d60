"""Create (or reset) the demo coordinator and a demo volunteer and print, in one short block, where the site is,
their logins and a demo resident's private page. For local demos only: the password is new on every run."""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jii.groups import ALL_GROUPS
from jii.models import Resident, User, VolunteerProfile
from jii.status_links import status_url

COORDINATOR_EMAIL = "coordinator@example.org"
VOLUNTEER_EMAIL = "sato.haruka@example.jp"  # an approved volunteer from jii/demo.py
RESIDENT_EMAIL = "olena.kovalenko@example.com"  # a refugee family from jii/demo.py; Hanamaru's demo enrols her children


class Command(BaseCommand):
    help = "Create or reset the demo coordinator login (and a demo volunteer's password) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="use this password instead of a random one")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(9)
        volunteer = User.objects.filter(email=VOLUNTEER_EMAIL).first()
        resident = Resident.objects.filter(email=RESIDENT_EMAIL).first()
        if volunteer is None or resident is None:
            raise CommandError("Run load_demo_data first.")

        coordinator, _ = User.objects.get_or_create(
            email=COORDINATOR_EMAIL, defaults={"name": "小林 優里", "is_staff": True}
        )
        coordinator.is_staff = True
        coordinator.set_password(password)
        coordinator.save()
        coordinator.groups.set(Group.objects.filter(name__in=ALL_GROUPS))
        EmailAddress.objects.update_or_create(
            user=coordinator, email=coordinator.email, defaults={"verified": True, "primary": True}
        )
        volunteer.set_password(password)
        volunteer.save(update_fields=["password"])
        VolunteerProfile.objects.filter(user=volunteer).update(status=VolunteerProfile.Status.APPROVED)

        site = settings.SITE_URL.rstrip("/")
        rule = "─" * 78
        self.stdout.write(
            "\n".join(
                [
                    rule,
                    f"  The demo site is at {site}/",
                    f"  Coordinator:  {COORDINATOR_EMAIL} / {password}  →  {site}/admin/",
                    f"  Volunteer:    {VOLUNTEER_EMAIL} / {password}  →  {site}/volunteer/",
                    f"  A resident's private page ({resident.name}, a refugee family with two children in class):",
                    f"    {status_url(resident)}",
                    "  The password is new each time `make run` starts. Stop the site with Ctrl+C.",
                    rule,
                ]
            )
        )
