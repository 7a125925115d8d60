"""Load demo data from every app that has a `demo.py` with a `load()` function. Safe to run again: each app
keys its rows on natural keys (emails, slugs), so a second run creates nothing new."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load realistic demo data (volunteers, residents, the campaign). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            summary = import_module(module_name).load()
            self.stdout.write(f"{app_config.label}: {summary}")
