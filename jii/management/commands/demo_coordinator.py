"""Create (or reset) the demo coordinator and a demo volunteer and print their logins. For local demos only."""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jii.groups import ALL_GROUPS
from jii.models import User, VolunteerProfile

COORDINATOR_EMAIL = "coordinator@example.org"
VOLUNTEER_EMAIL = "sato.haruka@example.jp"  # an approved volunteer from jii/demo.py


class Command(BaseCommand):
    help = "Create or reset the demo coordinator login (and a demo volunteer's password) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="use this password instead of a random one")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(9)
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
        site = settings.SITE_URL.rstrip("/")
        lines = [f"Coordinator (admin): {COORDINATOR_EMAIL} / {password}   {site}/admin/"]

        volunteer = User.objects.filter(email=VOLUNTEER_EMAIL).first()
        if volunteer is None:
            raise CommandError("Run load_demo_data first.")
        volunteer.set_password(password)
        volunteer.save(update_fields=["password"])
        VolunteerProfile.objects.filter(user=volunteer).update(status=VolunteerProfile.Status.APPROVED)
        lines.append(f"Volunteer:           {VOLUNTEER_EMAIL} / {password}   {site}/volunteer/")
        self.stdout.write("\n".join(lines))
