"""Load demo data from every app that has a `demo.py` with a `load()` function. Safe to run again: each app
keys its rows on natural keys (emails, slugs), so a second run creates nothing new.

The demo sends emails like the real site does (confirmations, bookings, reminders). With the console backend
(the embedded default) they go to files in a folder instead, so they do not bury the logins `make run` prints."""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from celery import current_app as celery_app  # the project's app (config/celery.py)
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class Command(BaseCommand):
    help = "Load realistic demo data (volunteers, residents, the campaign). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--emails-to",
            type=Path,
            default=settings.BASE_DIR / "demo-emails",
            help="folder for the demo's emails when email goes to the console (default: demo-emails/)",
        )

    def handle(self, *args, emails_to: Path, **options):
        # Only emails sent in this process can be redirected: with a real worker, it sends them as configured.
        if settings.EMAIL_BACKEND != CONSOLE_BACKEND or not celery_app.conf.task_always_eager:
            self.load_every_app()
            return
        before = set(emails_to.glob("*")) if emails_to.exists() else set()
        # override_settings is Django's way to change a setting for a while, outside tests too.
        with override_settings(EMAIL_BACKEND=FILE_BACKEND, EMAIL_FILE_PATH=str(emails_to)):
            self.load_every_app()  # eager tasks send after the commit, still inside the override
        written = len(set(emails_to.glob("*")) - before) if emails_to.exists() else 0
        if written:
            self.stdout.write(f"The demo's {written} emails are in {emails_to}/ (one file each, nothing was sent).")

    @transaction.atomic
    def load_every_app(self):
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            summary = import_module(module_name).load()
            self.stdout.write(f"{app_config.label}: {summary}")
