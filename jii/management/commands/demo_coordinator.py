"""Create (or reset) the demo coordinator and a demo volunteer and print, in one short block, where the site is,
their logins and a demo resident's private page. For local demos only: the password is new on every run.

The admin asks staff for a second factor as it does in production (jii.middleware.StaffSecondFactor): the demo
coordinator has an authenticator app set up with a fixed demo secret (add it to an app once, it stays good) and
new recovery codes on every run, three of them printed, so a newcomer without an app gets in too."""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
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
# The demo coordinator's authenticator app secret (base32). Public, like everything about the demo login.
DEMO_TOTP_SECRET = "JIIOTONARIDEMOCOORDINATORTOTPKEY"  # noqa: S105


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
        Authenticator.objects.filter(user=coordinator).delete()
        TOTP.activate(coordinator, DEMO_TOTP_SECRET)
        recovery_codes = RecoveryCodes.activate(coordinator).get_unused_codes()[:3]
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
                    f"    then a recovery code, each good once: {'  '.join(recovery_codes)}",
                    f"    or a code from an authenticator app set up with the secret {DEMO_TOTP_SECRET}",
                    f"  Volunteer:    {VOLUNTEER_EMAIL} / {password}  →  {site}/volunteer/",
                    f"  A resident's private page ({resident.name}, a refugee family with two children in class):",
                    f"    {status_url(resident)}",
                    "  The password and recovery codes are new each time `make run` starts. Stop the site with Ctrl+C.",
                    rule,
                ]
            )
        )
