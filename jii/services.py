"""State changes of the shared core. Each is one transaction; its messages are written to the outbox in it."""

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from jii import audiences, audit, certificates, outbox, privacy, readiness
from jii.models import (
    Certificate,
    ConfidentialityPledge,
    DataRequest,
    FailedSignIn,
    GroupMessage,
    Insurance,
    LineLink,
    LineLinkCode,
    PublishedText,
    Resident,
    UndeliverableAddress,
    User,
    VolunteerProfile,
)

FAILED_SIGN_INS_KEPT = timedelta(days=90)


def record_failed_sign_in(*, email: str) -> None:
    """A wrong password for an existing account (attempts on addresses with no account are not stored)."""
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        FailedSignIn.objects.create(user=user)
        FailedSignIn.objects.filter(at__lt=timezone.now() - FAILED_SIGN_INS_KEPT).delete()


@dataclass
class FailedSignIns:
    count: int
    latest: str


def failed_sign_ins_since(user: User, since: datetime | None) -> FailedSignIns | None:
    """The failed attempts on an account since its holder last signed in (within the 90 days kept)."""
    attempts = FailedSignIn.objects.filter(user=user)
    if since:
        attempts = attempts.filter(at__gt=since)
    found = attempts.aggregate(count=models.Count("id"), latest=models.Max("at"))
    if not found["count"]:
        return None
    return FailedSignIns(found["count"], formats.date_format(timezone.localtime(found["latest"]), "DATETIME_FORMAT"))


@transaction.atomic
def find_or_create_resident(*, email: str, language: str, **details: Any) -> Resident:
    """The resident with this email (any letter case) or, for one who has none, this phone number (written any
    way), created on first contact: so one person's OFP application, Spot requests and consultations share one
    record.

    Whoever types an email into a public form is not proven to own it, so an existing record is only
    completed (blank fields filled, languages added), never overwritten; coordinators correct it in the admin.
    """
    languages = details.pop("languages", [])
    email = email.strip().lower()
    residents = Resident.objects.select_for_update()
    resident = residents.filter(email__iexact=email).first() if email else None
    if resident is None:  # someone entered by phone before, with no email yet (never one with another email)
        resident = resident_by_phone(details.get("phone", ""), without_email=bool(email))
    if resident is None:
        try:
            with transaction.atomic():
                resident = Resident.objects.create(email=email, language=language, **details)
        except IntegrityError:  # the same person's other form was saved a moment ago
            if not email:
                raise
            resident = residents.get(email__iexact=email)
    missing = [field for field, value in details.items() if value and not getattr(resident, field)]
    if email and not resident.email:
        missing.append("email")
        details["email"] = email
    if missing:
        for field in missing:
            setattr(resident, field, details[field])
        resident.save(update_fields=missing)
    resident.languages.add(*languages)
    return resident


@transaction.atomic
def save_volunteer_profile(
    *,
    user: User,
    name: str,
    languages: list[tuple],
    given_name_latin: str = "",
    pledge: ConfidentialityPledge | None = None,
    **fields: Any,
) -> VolunteerProfile:
    """Create or update the volunteer's own profile. `languages` is a list of (Language, level); `pledge`, the
    confidentiality pledge they have just agreed to, if the form asked. A new profile waits for a coordinator;
    editing an approved profile keeps it approved."""
    if pledge is not None:
        fields |= {"pledge": pledge, "pledged_at": timezone.now()}
    if (name, given_name_latin) != (user.name, user.given_name_latin):
        user.name, user.given_name_latin = name, given_name_latin
        user.save(update_fields=["name", "given_name_latin"])
    profile, _ = VolunteerProfile.objects.update_or_create(user=user, defaults=fields)
    profile.languages.exclude(language__in=[language for language, _ in languages]).delete()
    for language, level in languages:
        profile.languages.update_or_create(language=language, defaults={"level": level})
    return profile


def agreed_current_pledge(profile: VolunteerProfile, current: ConfidentialityPledge | None = None) -> bool:
    """Whether the volunteer agreed to the pledge in force (`current`, when the caller has it already)."""
    current = current or ConfidentialityPledge.objects.current()
    return current is None or profile.pledge_id == current.pk


@transaction.atomic
def agree_to_pledge(*, profile: VolunteerProfile, pledge: ConfidentialityPledge) -> None:
    VolunteerProfile.objects.filter(pk=profile.pk).update(pledge=pledge, pledged_at=timezone.now())


@transaction.atomic
def approve_volunteer(*, profile: VolunteerProfile, approved_by: User) -> bool:
    """Approve a waiting volunteer and email them in their language. False if they were not waiting."""
    profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != VolunteerProfile.Status.PENDING or not agreed_current_pledge(profile):
        return False
    profile.status = VolunteerProfile.Status.APPROVED
    profile.approved_at = timezone.now()
    profile.approved_by = approved_by
    profile.save(update_fields=["status", "approved_at", "approved_by"])
    outbox.queue("volunteer_approved", once=profile.pk, to=profile.user)
    return True


# --- a volunteer's standing: suspended, archived, reinstated, paused ------------------------------------------

Reason = VolunteerProfile.StatusReason
SUSPENSION_REASONS = [Reason.CONCERN, Reason.DOCUMENTS, Reason.ON_LEAVE, Reason.OTHER]
LEAVING_REASONS = [Reason.MOVED, Reason.STOPPED, Reason.OTHER]


class StandingError(Exception):
    pass


def locked_profile(profile: VolunteerProfile) -> VolunteerProfile:
    return VolunteerProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)


@transaction.atomic
def suspend_volunteer(
    *, profile: VolunteerProfile, reason: str, note: str = "", until: date | None = None
) -> VolunteerProfile:
    """Take an approved volunteer off every board, candidate list and tutor list at once: their open Spot
    requests go back on the board (the residents are told), their unanswered OFP proposals are taken back and
    their pairs flagged for a coordinator. `until`, if given, is the day the suspension ends by itself."""
    profile = locked_profile(profile)
    if profile.status != VolunteerProfile.Status.APPROVED:
        raise StandingError(pgettext("staff", "Only an approved volunteer can be suspended."))
    if reason not in SUSPENSION_REASONS:
        raise StandingError(pgettext("staff", "Choose a reason for the suspension."))
    if until is not None and until <= timezone.localdate():
        raise StandingError(pgettext("staff", "The end of a suspension must be a day after today."))
    change_standing(profile, VolunteerProfile.Status.SUSPENDED, reason=reason, note=note, until=until)
    readiness.release_work(profile)
    told_until = until.isoformat() if until else ""
    outbox.queue("volunteer_suspended", once=uuid.uuid4().hex, to=profile.user, reason=reason, until=told_until)
    return profile


@transaction.atomic
def archive_volunteer(*, profile: VolunteerProfile, reason: str, note: str = "") -> VolunteerProfile:
    """A volunteer who has left JII (moved away, stopped, …): their open work ends as for a suspension, and their
    pairs end with the reason they left. Their account and history stay; reinstating brings them back."""
    profile = locked_profile(profile)
    if profile.anonymised_at is not None:
        raise StandingError(pgettext("staff", "This volunteer's account was closed and erased."))
    if profile.status not in (VolunteerProfile.Status.APPROVED, VolunteerProfile.Status.SUSPENDED):
        raise StandingError(pgettext("staff", "Only an approved or suspended volunteer can be archived."))
    if reason not in LEAVING_REASONS:
        raise StandingError(pgettext("staff", "Choose why the volunteer left."))
    change_standing(profile, VolunteerProfile.Status.ARCHIVED, reason=reason, note=note, until=None)
    readiness.release_work(profile, leaving=reason)
    outbox.queue("volunteer_archived", once=uuid.uuid4().hex, to=profile.user, reason=reason)
    return profile


@transaction.atomic
def reinstate_volunteer(*, profile: VolunteerProfile) -> VolunteerProfile:
    """A suspended or archived volunteer may help again (those steps they still lack still hold them back)."""
    profile = locked_profile(profile)
    if profile.status not in (VolunteerProfile.Status.SUSPENDED, VolunteerProfile.Status.ARCHIVED):
        raise StandingError(pgettext("staff", "Only a suspended or archived volunteer can be reinstated."))
    if profile.anonymised_at is not None:
        raise StandingError(pgettext("staff", "This volunteer's account was closed and erased."))
    change_standing(profile, VolunteerProfile.Status.APPROVED, reason="", note="", until=None)
    outbox.queue("volunteer_reinstated", once=uuid.uuid4().hex, to=profile.user)
    return profile


def change_standing(profile: VolunteerProfile, status: str, *, reason: str, note: str, until: date | None) -> None:
    audit.update(
        VolunteerProfile.objects.filter(pk=profile.pk),
        status=status,
        status_reason=reason,
        status_note=note,
        suspended_until=until,
    )
    profile.refresh_from_db()


def end_suspensions(today: date) -> int:
    """Daily: suspensions whose last day has passed end by themselves (the volunteer is told)."""
    ending = VolunteerProfile.objects.filter(
        status=VolunteerProfile.Status.SUSPENDED, suspended_until__lte=today, anonymised_at=None
    )
    for profile in ending:
        reinstate_volunteer(profile=profile)
    return len(ending)


@transaction.atomic
def pause_volunteering(*, profile: VolunteerProfile) -> None:
    """The volunteer's own pause: no alerts and no new work until they resume; what they have now stays theirs."""
    audit.update(VolunteerProfile.objects.filter(pk=profile.pk, paused_at=None), paused_at=timezone.now())


@transaction.atomic
def resume_volunteering(*, profile: VolunteerProfile) -> None:
    audit.update(VolunteerProfile.objects.filter(pk=profile.pk), paused_at=None)


# --- orientation and insurance -------------------------------------------------------------------------------


@transaction.atomic
def record_insurance(*, profiles: QuerySet[VolunteerProfile] | Sequence[VolunteerProfile], year: int, by: User) -> int:
    """The insurance year JII has the certificates of (the insurer's list, in one go); those recorded already stay."""
    recorded = set(Insurance.objects.filter(year=year, volunteer__in=profiles).values_list("volunteer_id", flat=True))
    missing = [profile for profile in profiles if profile.pk not in recorded]
    Insurance.objects.bulk_create(Insurance(volunteer=profile, year=year, recorded_by=by) for profile in missing)
    return len(missing)


def not_covered_for(year: int) -> QuerySet[VolunteerProfile]:
    """Approved volunteers with no insurance on record for the insurance year `year` (April `year` to March)."""
    insured = Insurance.objects.filter(year=year).values("volunteer")
    return VolunteerProfile.objects.approved().exclude(pk__in=insured).select_related("user", "area")


@transaction.atomic
def remind_of_insurance_ending(today: date) -> int:
    """In March, once a year: volunteers insured for the year now ending and not yet for the next are reminded."""
    if today.month != 3:
        return 0
    ending = readiness.insurance_year(today)
    volunteers = VolunteerProfile.objects.approved().filter(pk__in=readiness.insurance_ending(ending).values("pk"))
    for profile in volunteers:
        outbox.queue("volunteer_insurance_ending", once=f"{ending}:{profile.pk}", to=profile.user, year=ending)
    return len(volunteers)


# --- a message to a group of volunteers ------------------------------------------------------------------------


@transaction.atomic
def send_group_message(
    *, token: uuid.UUID, audience: str, value: str, subject: dict[str, str], body: dict[str, str], sent_by: User
) -> tuple[GroupMessage, bool]:
    """A coordinator's message to a group (jii/audiences.py): the log row and one outbox message per recipient,
    in one transaction. `subject` and `body` are {language: text}. Sending the same preview (`token`) again finds
    the first: (that message, False)."""
    sent = GroupMessage.objects.filter(token=token).first()
    if sent is not None:
        return sent, False
    volunteers = list(audiences.recipients(audience, value).select_related("user"))
    try:
        with transaction.atomic():
            sent = GroupMessage.objects.create(
                token=token,
                sent_by=sent_by,
                audience=audience,
                audience_value=value,
                description=audiences.describe(audience, value),
                subject=subject,
                body=body,
                recipients=len(volunteers),
            )
    except IntegrityError:  # the same preview sent at the same moment: the other one is the message
        return GroupMessage.objects.get(token=token), False
    for profile in volunteers:
        outbox.queue("group_message", once=f"{sent.pk}:{profile.user_id}", to=profile.user, group_message=sent.pk)
    return sent, True


@transaction.atomic
def set_resident_language(*, resident: Resident, language: str) -> None:
    """The resident's choice on their status page: every later email, and the page, in that language."""
    audit.update(Resident.objects.filter(pk=resident.pk), language=language)


def phone_digits(phone: str) -> str:
    """A phone number as its digits, in the national form (+81 80… and 080… are the same number)."""
    digits = "".join(character for character in phone if character.isdigit())
    return "0" + digits[2:] if digits.startswith("81") and len(digits) > 10 else digits


def resident_by_contact(contact: str) -> Resident | None:
    """The resident with this email address or phone number (written any way), if there is exactly one."""
    if "@" in contact:
        return Resident.objects.filter(email__iexact=contact).first()
    return resident_by_phone(contact)


def resident_by_phone(phone: str, *, without_email: bool = False) -> Resident | None:
    """The one resident with this phone number, written any way (None if there is none, or several)."""
    digits = phone_digits(phone)
    if len(digits) < 8:
        return None
    # Phone numbers are stored as typed: compare digits only, among the few records ending the same way.
    candidates = Resident.objects.filter(phone__endswith=digits[-4:])
    if without_email:
        candidates = candidates.filter(email="")
    found = [resident for resident in candidates if phone_digits(resident.phone) == digits]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def send_status_link(resident: Resident) -> None:
    """Send the resident their status link again (each time they ask: the rate limit is the form's)."""
    outbox.queue("status_link", once=f"{resident.pk}:{uuid.uuid4().hex}", to=resident)


@transaction.atomic
def mark_undeliverable(*, address: str, reason: str, detail: str = "", reported_at: datetime | None = None) -> None:
    """The email provider says this address bounces or complained: stop writing to it (the latest report wins)."""
    UndeliverableAddress.objects.update_or_create(
        address=address.strip().lower(),
        defaults={"reason": reason, "detail": detail[:2000], "reported_at": reported_at or timezone.now()},
    )


CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read and typed on phones


def person(resident: Resident | None = None, user: User | None = None) -> dict[str, Resident | User | None]:
    return {"resident": resident} if resident is not None else {"user": user}


@transaction.atomic
def start_line_link(*, resident: Resident | None = None, user: User | None = None) -> LineLinkCode:
    """A new one-time code for the person to send to JII's LINE account (their earlier code stops working)."""
    LineLinkCode.objects.filter(**person(resident, user)).delete()
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
        if not LineLinkCode.objects.filter(code=code).exists():
            break
    expires_at = timezone.now() + timedelta(minutes=settings.LINE_LINK_CODE_MINUTES)
    return LineLinkCode.objects.create(code=code, expires_at=expires_at, **person(resident, user))


def normalized_code(text: str) -> str:
    return "".join(character for character in text.upper() if character.isalnum())


@transaction.atomic
def link_line(*, line_user_id: str, text: str) -> LineLink | None:
    """The LINE user sent `text`: if it is a valid code, their account now gets that person's messages (and no
    one else's). None for anything else, without saying whether such a person exists."""
    code = normalized_code(text)
    if len(code) != 6:
        return None
    found = LineLinkCode.objects.select_for_update().filter(code=code, expires_at__gt=timezone.now()).first()
    if found is None:
        return None
    owner = person(found.resident, found.user)
    found.delete()
    LineLink.objects.filter(line_user_id=line_user_id).delete()
    LineLink.objects.filter(**owner).delete()
    return LineLink.objects.create(line_user_id=line_user_id, **owner)


@transaction.atomic
def stop_line(*, resident: Resident | None = None, user: User | None = None, line_user_id: str = "") -> bool:
    """No more LINE messages (the person asked, or unfollowed the account): email again."""
    links = (
        LineLink.objects.filter(line_user_id=line_user_id)
        if line_user_id
        else LineLink.objects.filter(**person(resident, user))
    )
    return links.delete()[0] > 0


@transaction.atomic
def publish_text(
    model: type[PublishedText], *, text: dict[str, str], published_at: datetime | None = None
) -> PublishedText:
    """A new version of the privacy notice or the volunteers' pledge, numbered after the last; the old ones stay
    as they were (a new pledge is asked for on every volunteer's page)."""
    last = model.objects.select_for_update().order_by("-version").first()
    return model.objects.create(
        version=(last.version if last else 0) + 1, text=text, published_at=published_at or timezone.now()
    )


# --- a person's own data: a copy, and erasure (APPI) ---------------------------------------------------------


def export_resident(resident: Resident) -> dict[str, Any]:
    """Everything JII holds about this resident, program by program, as readable sections."""
    person = privacy.section(
        _("You"),
        resident,
        ["name", "email", "phone", "languages", "prefecture", "municipality", "household_type", "language",
         "created_at"],
    )  # fmt: skip
    linked = LineLink.objects.filter(resident=resident).exists()
    person["rows"].append(("line", "LINE", gettext("yes") if linked else gettext("no")))
    programs = [
        {"title": str(records.title), "sections": records.collect(resident)} for records in privacy.RESIDENT_RECORDS
    ]
    return {"person": person, "programs": [program for program in programs if program["sections"]]}


def export_volunteer(user: User) -> dict[str, Any]:
    """Everything JII holds about this volunteer: account, profile, and what they did in each program."""
    person = privacy.section(_("You"), user, ["name", "given_name_latin", "email", "language", "date_joined"])
    profile = VolunteerProfile.objects.filter(user=user).first()
    programs = []
    if profile is not None:
        person["rows"] += privacy.described(
            profile,
            ["status", "phone", "gender", "area", "nearest_station", "availability", "experience", "interests",
             "spot_categories", "about", "submitted_at", "approved_at"],
        )  # fmt: skip
        programs = [
            {"title": str(records.title), "sections": records.collect(profile)} for records in privacy.VOLUNTEER_RECORDS
        ]
    return {"person": person, "programs": [program for program in programs if program["sections"]]}


@transaction.atomic
def ask_for_erasure(*, resident: Resident | None = None, user: User | None = None) -> DataRequest:
    """A person asks JII to erase everything about them; asking again finds the open request. They are told when
    it will be done, and the coordinators' inbox that a request is waiting (no name in it)."""
    owner = person(resident, user)
    request = DataRequest.objects.filter(done_at=None, **owner).first()
    if request is None:
        try:
            with transaction.atomic():
                request = DataRequest.objects.create(**owner)
        except IntegrityError:  # asked twice at once: the other request is the one
            return DataRequest.objects.get(done_at=None, **owner)
        recipient = resident or user
        assert recipient is not None  # the request was saved: its check constraint holds one of the two
        outbox.queue("erasure_received", once=request.pk, to=recipient, request=request.pk)
        coordinators = {"to": settings.COORDINATOR_EMAIL, "language": settings.LANGUAGE_CODE}
        outbox.queue("erasure_request_coordinator", once=request.pk, request=request.pk, **coordinators)
    return request


@transaction.atomic
def erase_person(*, request: DataRequest, by: User) -> bool:
    """Carry out an erasure request across every program in one step: what is under way is ended (a volunteer or
    the next child on a waiting list is told), then everything is anonymised as the retention job would, and the
    person is told at the address they had. False if it was done already."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.done_at is not None:
        return False
    person = request.resident or request.user
    assert person is not None  # the check constraint: a resident's request or a user's
    address, language = person.email, person.language
    if request.resident is not None:
        for records in privacy.RESIDENT_RECORDS:
            records.erase(request.resident)
        privacy.anonymise_residents(Resident.objects.filter(pk=request.resident.pk))
    elif (profile := VolunteerProfile.objects.filter(user=request.user).first()) is not None:
        readiness.release_work(profile, leaving=VolunteerProfile.StatusReason.STOPPED)
        privacy.anonymise_volunteers(VolunteerProfile.objects.filter(pk=profile.pk))  # and closes the account
    else:  # signed up, never filled in a profile
        privacy.close_accounts([request.user_id])
    request.done_at, request.done_by = timezone.now(), by
    request.save(update_fields=["done_at", "done_by"])
    if address:  # a resident known only by phone is told by the coordinator (the admin says so)
        outbox.queue("data_erased", once=request.pk, to=address, language=language)
    return True


@transaction.atomic
def issue_certificate(*, volunteer: VolunteerProfile, start: date, end: date, language: str) -> Certificate:
    """A volunteer certificate of the hours from `start` to `end` (days, both included). The same period and
    language asked again the same day, with the same hours, gives back the certificate issued then (one number);
    otherwise a new number. Raises certificates.NothingToCertify without any hours in the period."""
    volunteer = VolunteerProfile.objects.select_for_update().get(pk=volunteer.pk)  # one at a time per volunteer
    snapshot = certificates.hours_snapshot(volunteer.pk, start, end)
    if not snapshot:
        raise certificates.NothingToCertify
    now = timezone.now()
    today = timezone.localdate(now)
    issued_today = Certificate.objects.filter(
        volunteer=volunteer, starts_on=start, ends_on=end, language=language, issued_at__date=today
    )
    for certificate in issued_today:
        if certificate.hours == snapshot:
            return certificate
    sequence, number = certificates.next_number(today.year)
    return Certificate.objects.create(
        number=number,
        year=today.year,
        sequence=sequence,
        volunteer=volunteer,
        starts_on=start,
        ends_on=end,
        language=language,
        hours=snapshot,
        issued_at=now,
    )
