"""Which strings of the catalogs residents read. Every language of the site translates these; the rest (the
admin, volunteers', coordinators' and donors' pages) must be complete in Japanese and English only, and a
reader of another language sees them in Japanese, Django's fallback to the site's default."""

import re

import polib

# A string is for staff, volunteers or donors only when every place it is used matches one of these.
NOT_FOR_RESIDENTS = re.compile(
    r"admin\.py|templates/admin/|apps\.py|sections\.py|figures|explain\.py|receipts\.py|humanize_yen"
    r"|coordinator|volunteer|tutor_shortage|donation|templates/donations/|donations/"
    r"|expert\.html|spot/board\.html|spot/detail\.html|spot/_board_card\.html|spot/board_entry\.html"
    r"|spot_alert|_spot_entry|jii/certificate\.html|jii/hours\.py"
)


def is_for_residents(entry: polib.POEntry) -> bool:
    if entry.msgctxt in ("staff", "volunteer"):  # pgettext_lazy("staff", …), pgettext_lazy("volunteer", …)
        return False
    return any(not NOT_FOR_RESIDENTS.search(path) for path, _line in entry.occurrences)


def resident_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete and is_for_residents(entry)]
