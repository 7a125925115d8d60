"""How complete each catalog is: every string in the site's default language (and English, the source), and every
string residents read (jii/catalogs.py) in every other. `--check` fails on anything missing or fuzzy."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import to_locale

from jii.catalogs import resident_entries


class Command(BaseCommand):
    help = "Show each catalog's size and what is missing; --check fails if anything required is missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit non-zero if a catalog is incomplete")

    def handle(self, *args, check=False, **options):
        complete_everywhere = to_locale(settings.LANGUAGE_CODE)
        problems = []
        for path in sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po")):
            locale = path.parts[-3]
            catalog = polib.pofile(str(path))
            for_residents = resident_entries(catalog)
            required = list(catalog) if locale == complete_everywhere else for_residents
            missing = [entry for entry in required if not entry.translated()]
            fuzzy = catalog.fuzzy_entries()
            reviewed = catalog.metadata.get("X-Reviewed-By", "")
            words = sum(len((entry.msgid_plural or entry.msgid).split()) for entry in catalog.translated_entries())
            self.stdout.write(
                f"{locale:8} {len(catalog.translated_entries()):5} of {len(catalog):5} strings translated "
                f"({words} source words), {sum(entry.translated() for entry in for_residents)} of {len(for_residents)}"
                f" residents read; reviewed by: {reviewed or '-'}"
            )
            for entry in [*missing, *fuzzy][:20]:
                problems.append(f"{path}: {'fuzzy' if entry in fuzzy else 'untranslated'}: {entry.msgid[:70]!r}")
        if check and problems:
            raise CommandError("Catalogs are incomplete (run 'make messages' and translate):\n" + "\n".join(problems))
