"""Which strings of the catalogs residents read. Every language of the site translates these; the rest (the
admin, volunteers', coordinators' and donors' pages) must be complete in Japanese and English only, and a
reader of another language sees them in Japanese, Django's fallback to the site's default."""

import re

import polib

# A string is for staff, volunteers or donors only when every place it is used matches one of these: the core's
# here, each program's own pages and messages added by the program (register_not_for_residents in its apps.py).
NOT_FOR_RESIDENTS = [
    r"admin\.py|templates/admin/|apps\.py|sections\.py|figures|humanize_yen|coordinator|volunteer",
    r"jii/certificate\.html|jii/hours\.py",
]


def register_not_for_residents(pattern: str) -> None:
    if pattern not in NOT_FOR_RESIDENTS:
        NOT_FOR_RESIDENTS.append(pattern)


def is_for_residents(entry: polib.POEntry) -> bool:
    if entry.msgctxt in ("staff", "volunteer"):  # pgettext_lazy("staff", …), pgettext_lazy("volunteer", …)
        return False
    not_for_residents = re.compile("|".join(NOT_FOR_RESIDENTS))
    return any(not not_for_residents.search(path) for path, _line in entry.occurrences)


def resident_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete and is_for_residents(entry)]
