"""The groups of volunteers a coordinator can write to at once (admin → "Messages to volunteers"): the core's
(an area, a language, insurance ending, everyone) and the programs' (Hanamaru: the tutors of a class or of a
session), each registered in its app's AppConfig.ready(), so that jii names no program:

    register_audience("class_tutors", pgettext_lazy("staff", "Tutors of a class"), class_choices, class_tutors)

`choices()` lists the values a coordinator can pick, as (value, label), or is None for a group without one
("all volunteers"); `members(value)` returns a queryset of VolunteerProfile. Whoever is in a group, only
approved volunteers with an open account ever receive: see recipients()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from jii import readiness
from jii.choices import LanguageLevel


@dataclass(frozen=True)
class Audience:
    kind: str
    label: str
    choices: Callable[[], list[tuple[str, str]]] | None
    members: Callable[[str], QuerySet]


AUDIENCES: dict[str, Audience] = {}


def register_audience(kind: str, label, choices, members) -> None:
    AUDIENCES[kind] = Audience(kind, label, choices, members)


def grouped_choices() -> list[tuple[str, str | list[tuple[str, str]]]]:
    """Every group as one select's options: "kind:value", one optgroup per kind that has values."""
    options: list[tuple[str, str | list[tuple[str, str]]]] = []
    for audience in AUDIENCES.values():
        if audience.choices is None:
            options.append((f"{audience.kind}:", audience.label))
        else:
            options.append((audience.label, [(f"{audience.kind}:{v}", label) for v, label in audience.choices()]))
    return options


def describe(kind: str, value: str) -> str:
    """The group in plain words, as the log keeps it: "Volunteers of an area: Meguro"."""
    audience = AUDIENCES[kind]
    if audience.choices is None:
        return str(audience.label)
    return f"{audience.label}: {dict(audience.choices()).get(value, value)}"


def recipients(kind: str, value: str) -> QuerySet:
    """The group's volunteers who may be written to: approved (never waiting, suspended or archived), not erased,
    with an account they can sign in to. Each once, however many ways they are in the group."""
    from jii.models import VolunteerProfile

    members = AUDIENCES[kind].members(value)
    return VolunteerProfile.objects.filter(
        pk__in=members.values("pk"),
        status=VolunteerProfile.Status.APPROVED,
        anonymised_at=None,
        user__is_active=True,
    )


def readers_by_language(kind: str, value: str) -> dict[str, int]:
    """How many of the group's recipients read each language (one query), for the preview."""
    found = recipients(kind, value).order_by().values_list("user__language").annotate(count=Count("pk"))
    return dict(found)


# --- the core's groups ----------------------------------------------------------------------------------------

# "Speaks a language": at conversational level or better, as for Spot alerts; basic is not enough to be written to
# as a speaker (an English version goes to whoever does not read Japanese anyway).
SPEAKS = [LanguageLevel.NATIVE, LanguageLevel.FLUENT, LanguageLevel.CONVERSATIONAL]


def area_choices():
    from jii.models import Area

    return [(str(area.pk), f"{area} ({area.get_prefecture_display()})") for area in Area.objects.all()]


def area_members(value):
    from jii.models import VolunteerProfile

    return VolunteerProfile.objects.filter(area_id=value)


def language_choices():
    from jii.models import Language

    return [(str(language.pk), str(language)) for language in Language.objects.all()]


def language_members(value):
    from jii.models import VolunteerLanguage, VolunteerProfile

    speaks = VolunteerLanguage.objects.filter(volunteer=OuterRef("pk"), language_id=value, level__in=SPEAKS)
    return VolunteerProfile.objects.filter(Exists(speaks))


def insurance_choices():
    """The insurance year now running, the only one whose end can be written about."""
    from jii.readiness import insurance_year

    year = insurance_year(timezone.localdate())
    label = pgettext("staff", "insured for April %(year)s to March %(next)s, not yet for the year after")
    return [(str(year), label % {"year": year, "next": year + 1})]


def insurance_ending_members(value):
    """Insured for the year `value`, not yet for the next (the March reminder's volunteers)."""
    return readiness.insurance_ending(int(value))


def everyone(value):
    from jii.models import VolunteerProfile

    return VolunteerProfile.objects.all()


def register_core() -> None:
    register_audience("everyone", pgettext_lazy("staff", "All approved volunteers"), None, everyone)
    register_audience("area", pgettext_lazy("staff", "Volunteers of an area"), area_choices, area_members)
    register_audience(
        "language",
        pgettext_lazy("staff", "Volunteers who speak a language (conversational or better)"),
        language_choices,
        language_members,
    )
    register_audience(
        "insurance_ending",
        pgettext_lazy("staff", "Volunteers whose insurance ends"),
        insurance_choices,
        insurance_ending_members,
    )
