"""What JII keeps about people, why, for how long, and how a person gets a copy or has it erased (APPI).

jii imports no program, so each program declares its part in its AppConfig.ready():

    register_purpose("ofp", _("OFP"), CONSENT_TEXT)                  # shown on /privacy/
    register_kind(RecordKind("ofp.closed_pair", …))                    # the retention table and the daily job
    register_resident_records("ofp", _("OFP"), collect, erase)        # a resident's export and erasure

Anonymising keeps a row and its figures (counts, dates, outcomes, household type, area) and erases or replaces
the names, contacts, words, children's details and notes, so the programs' figures add up as before.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from jii import audit

logger = logging.getLogger(__name__)

# A name, or a word, that is gone (shown where a name used to be).
ERASED = "—"


@dataclass(frozen=True)
class Purpose:
    program: str
    title: Promise
    text: Promise | Callable[[], str]  # the purpose-of-use text of the program's form

    def __str__(self):
        return str(self.text() if callable(self.text) else self.text)


@dataclass(frozen=True)
class RecordKind:
    """One row of the retention table. `expired(cutoff)` is a queryset of the records of this kind that ended
    before `cutoff` and still hold personal data; `anonymise(queryset)` erases it (in the caller's transaction)."""

    key: str
    description: Promise  # "An OFP application that never led to a pair"
    years: int
    after: Promise | str  # "after it closed", or "" when nothing needs saying
    expired: Callable
    anonymise: Callable
    kept: Promise | None = None  # instead of "N years", when the period is not a number of years
    last: bool = False  # runs after the others (a resident, once every record of theirs is erased)

    def kept_for(self) -> str:
        if self.kept is not None:
            return str(self.kept)
        return ngettext("%(years)d year", "%(years)d years", self.years) % {"years": self.years}

    def cutoff(self, now=None):
        return (now or timezone.now()) - relativedelta(years=self.years)


@dataclass(frozen=True)
class ResidentRecords:
    """A program's records of one resident: `collect(resident)` gives readable sections for the export, each
    {"title": str, "rows": [(name, label, value), …]}; `erase(resident)` stops what is under way and anonymises
    them all now; `holding()` is a queryset of the ids of residents whose records here still hold personal data."""

    program: str
    title: Promise
    collect: Callable
    erase: Callable
    holding: Callable | None


@dataclass(frozen=True)
class VolunteerRecords:
    """A program's records of one volunteer: `collect(profile)` gives export sections (never a resident's data).
    What they still had under way is handed back by the program's release (jii/readiness.py) before erasure."""

    program: str
    title: Promise
    collect: Callable


PURPOSES: list[Purpose] = []
KINDS: list[RecordKind] = []
RESIDENT_RECORDS: list[ResidentRecords] = []
VOLUNTEER_RECORDS: list[VolunteerRecords] = []


def _add(registry: list, item, key: str) -> None:
    if all(getattr(existing, key) != getattr(item, key) for existing in registry):
        registry.append(item)


def register_purpose(program: str, title, text) -> None:
    _add(PURPOSES, Purpose(program, title, text), "program")


def register_kind(kind: RecordKind) -> None:
    _add(KINDS, kind, "key")


def register_resident_records(
    program: str, title, *, collect: Callable, erase: Callable, holding: Callable | None = None
) -> None:
    _add(RESIDENT_RECORDS, ResidentRecords(program, title, collect, erase, holding), "program")


def register_volunteer_records(program: str, title, *, collect: Callable) -> None:
    _add(VOLUNTEER_RECORDS, VolunteerRecords(program, title, collect), "program")


def register_program(
    program: str,
    title,
    *,
    consent,
    kinds: list[RecordKind],
    collect: Callable,
    erase: Callable,
    holding: Callable | None = None,
    volunteer_collect: Callable | None = None,
) -> None:
    """A program's whole part: its purpose and consent words in the notice, its rows of the retention table, a
    resident's records (a copy, erasure; `holding` names the residents it still keeps something of) and, if
    volunteers help in it, a volunteer's."""
    register_purpose(program, title, consent)
    for kind in kinds:
        register_kind(kind)
    register_resident_records(program, title, collect=collect, erase=erase, holding=holding)
    if volunteer_collect is not None:
        register_volunteer_records(program, title, collect=volunteer_collect)


def table() -> list[RecordKind]:
    """The retention table, in the order the job runs it."""
    return sorted(KINDS, key=lambda kind: kind.last)


class _RolledBack(Exception):
    def __init__(self, done):
        self.done = done


def apply_retention(now=None, *, dry_run: bool = False) -> dict[str, int]:
    """Anonymise every record past its period, kind by kind in the table's order (residents last, once their
    records are gone), in one transaction. Returns how many of each kind. A dry run does exactly the same and
    rolls it back, so it reports what the job would do (files are deleted only on commit)."""
    try:
        with transaction.atomic():
            done = {}
            for kind in table():
                expired = kind.expired(kind.cutoff(now))
                ids = list(expired.values_list("pk", flat=True))
                if ids:
                    kind.anonymise(expired.model.objects.filter(pk__in=ids))
                done[kind.key] = len(ids)
            if dry_run:
                raise _RolledBack(done)
    except _RolledBack as rolled_back:
        return rolled_back.done
    logger.info("retention: anonymised %s", ", ".join(f"{key} {count}" for key, count in done.items()))
    return done


def described(instance, names: list[str]) -> list[tuple[str, str, str]]:
    """(name, label, value as a reader reads it) of these fields of `instance`, for a person's export."""
    rows = []
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if field.many_to_many:
            value = ", ".join(str(item) for item in value.all())
        elif field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = gettext("yes") if value else gettext("no")
        elif isinstance(value, datetime):
            value = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(value, date):
            value = formats.date_format(value, "DATE_FORMAT")
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append((name, str(field.verbose_name), "" if value is None else str(value)))
    return rows


def section(title, instance, names: list[str]) -> dict:
    return {"title": str(title), "rows": described(instance, names)}


# --- the core's own records: residents and volunteers ------------------------------------------------------


def residents_with_nothing_left(cutoff):
    """Residents none of whose records in any program still holds personal data."""
    from jii.models import Resident

    residents = Resident.objects.filter(anonymised_at=None, created_at__lt=cutoff)
    for records in RESIDENT_RECORDS:
        if records.holding is not None:
            residents = residents.exclude(pk__in=records.holding())
    return residents


def anonymise_residents(residents) -> None:
    """Erase a resident's name and contacts, unlink LINE, revoke their status links and drop the messages not yet
    sent. Kept for the figures: prefecture, city, household type, languages and the date they first wrote."""
    from jii.models import LineLink, LineLinkCode, Message, Resident, new_status_key

    ids = list(residents.values_list("pk", flat=True))
    LineLink.objects.filter(resident__in=ids).delete()
    LineLinkCode.objects.filter(resident__in=ids).delete()
    Message.objects.filter(resident__in=ids, state=Message.State.QUEUED).update(state=Message.State.OBSOLETE)
    audit.update(Resident.objects.filter(pk__in=ids), name=ERASED, email="", phone="", anonymised_at=timezone.now())
    # Each its own new key (they are unique), in one statement.
    residents = list(Resident.objects.filter(pk__in=ids).only("pk"))
    for resident in residents:
        resident.status_key = new_status_key()
    Resident.objects.bulk_update(residents, ["status_key"])


def volunteers_gone_quiet(cutoff):
    """Volunteers (not staff) who have not signed in since `cutoff`."""
    from jii.models import VolunteerProfile

    volunteers = VolunteerProfile.objects.filter(anonymised_at=None, user__is_staff=False)
    volunteers = volunteers.annotate(last_seen=Coalesce("user__last_login", "user__date_joined"))
    return volunteers.filter(last_seen__lt=cutoff)


def anonymise_volunteers(profiles) -> None:
    """Close the accounts and erase the volunteers' names, contacts and words. Kept for the figures and the
    programs' history: area, languages, experience, the pairs, requests and sessions they helped with."""
    from jii.models import VolunteerProfile

    user_ids = list(profiles.values_list("user_id", flat=True))
    audit.update(
        VolunteerProfile.objects.filter(user__in=user_ids),
        status=VolunteerProfile.Status.SUSPENDED,
        phone="",
        nearest_station="",
        about="",
        anonymised_at=timezone.now(),
    )
    close_accounts(user_ids)


def close_accounts(user_ids) -> None:
    """No more sign-in, no name, no address: the account stays only as the author of what it did."""
    from allauth.account.models import EmailAddress

    from jii.models import FailedSignIn, LineLink, LineLinkCode, Message, User

    EmailAddress.objects.filter(user__in=user_ids).delete()
    LineLink.objects.filter(user__in=user_ids).delete()
    LineLinkCode.objects.filter(user__in=user_ids).delete()
    FailedSignIn.objects.filter(user__in=user_ids).delete()
    Message.objects.filter(user__in=user_ids, state=Message.State.QUEUED).update(state=Message.State.OBSOLETE)
    for user in User.objects.filter(pk__in=user_ids):
        user.name, user.given_name_latin, user.email, user.is_active = ERASED, "", f"erased-{user.pk}@invalid", False
        user.set_unusable_password()
        user.save(update_fields=["name", "given_name_latin", "email", "is_active", "password"])


def register_core() -> None:
    register_kind(
        RecordKind("people.volunteer", _("A volunteer's account, after they stop signing in"), 3,
                   _("after their last sign-in"), volunteers_gone_quiet, anonymise_volunteers)
    )  # fmt: skip
    register_kind(
        RecordKind("people.resident", _("A resident's name and contact details"), 1, "", residents_with_nothing_left,
                   anonymise_residents, kept=_("As long as any of the records above is kept"), last=True)
    )  # fmt: skip
