"""Score breakdowns and exclusion reasons, stored as language-neutral codes, told in the reader's language."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from jii import readiness
from jii.choices import Experience, HouseholdType, Interest
from jii.models import Area, Language
from matching.models import Hope, TimeBand


def labels(choices, codes) -> str:
    return ", ".join(str(choices(code).label) for code in codes if code in choices.values)


class Names:
    """Area and language names for describing many breakdowns with two queries in all."""

    def __init__(self):
        self.areas = Area.objects.in_bulk()
        self.languages = {language.code: language for language in Language.objects.all()}

    def area(self, pk) -> str:
        return str(self.areas.get(pk, "?"))

    def language_list(self, codes) -> str:
        return ", ".join(str(self.languages.get(code, code)) for code in codes)


def describe_item(item: dict, names: Names) -> str:
    code = item["code"]
    if code == "same_area":
        return _("Same city or ward (%(area)s)") % {"area": names.area(item["area"])}
    if code == "nearby":
        return _("Neighbouring area, %(km)s km apart") % {"km": item["km"]}
    if code == "language":
        return _("Shared language: %(languages)s") % {"languages": names.language_list(item["languages"])}
    if code == "japanese":
        return _("Can talk in Japanese")
    if code == "time":
        return _("Both free: %(bands)s") % {"bands": labels(TimeBand, item["bands"])}
    if code == "household":
        return _("%(household)s — volunteer's experience: %(experience)s") % {
            "household": HouseholdType(item["household"]).label,
            "experience": labels(Experience, item["experience"]),
        }
    if code == "interests":
        return _("Shared interests: %(interests)s") % {"interests": labels(Interest, item["interests"])}
    if code == "hopes":
        return _("Can help with what they hope for: %(hopes)s") % {"hopes": labels(Hope, item["hopes"])}
    return code


def describe_breakdown(items: list, names: Names | None = None) -> list[str]:
    """["Same city or ward (Meguro) +30", "Shared language: English +20", …]"""
    names = names or Names()
    return [f"{describe_item(item, names)} +{item['points']}" for item in items]


def describe_reason(reason: dict) -> str:
    code = reason["code"]
    if "count" in reason:  # an intake round's summary: how many nearby volunteers this rule ruled out
        return _("%(reason)s (%(count)d nearby volunteers)") % {
            "reason": describe_reason({"code": code}),
            "count": reason["count"],
        }
    if code == "not_ready":
        if "missing" not in reason:  # an intake round's count
            return pgettext("staff", "may not help yet (paused, or orientation, insurance or pledge missing)")
        return pgettext("staff", "may not help yet: %(missing)s") % {"missing": readiness.describe(reason["missing"])}
    if code == "full":
        return _("already in a pair or has an open proposal")
    if code == "far":
        return _("lives too far away (%(km)s km)") % {"km": reason["km"]}
    if code == "language":
        return _("no shared language")
    if code == "gender":
        wanted = {"female": _("a woman"), "male": _("a man")}.get(reason.get("wanted"), "")
        return _("the resident asked for %(wanted)s") % {"wanted": wanted}
    if code == "time":
        return _("no time when both are free")
    if code == "proposed_before":
        return _("already proposed for this application")
    if code == "taken":
        return _("every suitable volunteer was given to someone else in the best overall assignment")
    if code == "nobody_near":
        return _("no approved volunteer lives near enough")
    return code


def describe_reasons(reasons: list) -> str:
    return "; ".join(describe_reason(reason) for reason in reasons)


def far_away_note(count: int) -> str:
    return ngettext(
        "%(count)d more volunteer lives too far away.", "%(count)d more volunteers live too far away.", count
    ) % {"count": count}
