"""Every state change of a Spot request, one transaction each. The first volunteer to accept wins."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jii.models import Language, Resident, User, VolunteerProfile
from jii.services import find_or_create_resident
from matching.services import MatchingError, apply_from_spot  # OFP's public hand-over
from spot import tasks
from spot.models import TOPICS_BY_CATEGORY, Acceptance, SpotRequest


class SpotError(Exception):
    """A step the request's current state does not allow; the message is for the person who tried."""


class AlreadyTaken(SpotError):
    pass


@transaction.atomic
def submit_request(
    *, email: str, language: str, resident_details: dict, languages: list[Language], **details
) -> SpotRequest:
    resident = find_or_create_resident(email=email, language=language, languages=languages, **resident_details)
    request = SpotRequest.objects.create(resident=resident, consented_at=timezone.now(), **details)
    request.languages.set(languages)
    tasks.send_request_received.delay_on_commit(request.pk)
    return request


@transaction.atomic
def submit_from_consultation(
    *, resident: Resident, topic: str, description: str, languages: list[Language], modes: list, area, urgency: int
) -> SpotRequest:
    """The hand-over from Kurashi consultations: a case a volunteer can help with becomes an open Spot request
    for the same resident (who agreed to JII's use of their words when they asked). Any day is fine."""
    category = next(category for category, topics in TOPICS_BY_CATEGORY.items() if topic in topics)
    request = SpotRequest.objects.create(
        resident=resident,
        category=category,
        topic=topic,
        description=description,
        modes=modes,
        area=area,
        urgency=urgency,
        consented_at=timezone.now(),
    )
    request.languages.set(languages)
    tasks.send_request_received.delay_on_commit(request.pk)
    return request


@transaction.atomic
def accept_request(*, request: SpotRequest, volunteer: VolunteerProfile, assigned_by: User | None = None):
    """Take an open request. Of any number of volunteers accepting at the same moment exactly one succeeds:
    the conditional UPDATE lets the database pick the winner (the others find it no longer open), and the
    acceptance table's unique index would refuse a second winner anyway."""
    if not volunteer.is_approved:
        raise PermissionDenied("only approved volunteers accept requests")
    now = timezone.now()
    taken = SpotRequest.objects.filter(pk=request.pk, status=SpotRequest.Status.OPEN).update(
        status=SpotRequest.Status.ACCEPTED, volunteer=volunteer, accepted_at=now
    )
    if not taken:
        status = SpotRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
        if status == SpotRequest.Status.ACCEPTED:
            raise AlreadyTaken(_("Someone else has already taken this request. Thank you for offering!"))
        raise SpotError(_("This request is no longer open."))
    try:
        with transaction.atomic():
            Acceptance.objects.create(
                request_id=request.pk, volunteer=volunteer, accepted_at=now, assigned_by=assigned_by
            )
    except IntegrityError as error:
        raise AlreadyTaken(_("Someone else has already taken this request. Thank you for offering!")) from error
    tasks.send_accepted_emails.delay_on_commit(request.pk)
    return SpotRequest.objects.get(pk=request.pk)


def locked_for_volunteer(request: SpotRequest, volunteer: VolunteerProfile) -> SpotRequest:
    request = SpotRequest.objects.select_for_update().get(pk=request.pk)
    if request.volunteer_id != volunteer.pk:
        raise PermissionDenied("this request belongs to another volunteer")
    return request


@transaction.atomic
def release_request(*, request: SpotRequest, volunteer: VolunteerProfile, reason: str) -> SpotRequest:
    """The volunteer cannot help after all: the request goes back on the board."""
    request = locked_for_volunteer(request, volunteer)
    if request.status != SpotRequest.Status.ACCEPTED:
        raise SpotError(_("Only an accepted request can be released."))
    acceptance = request.acceptances.get(released_at__isnull=True)
    acceptance.released_at = timezone.now()
    acceptance.release_reason = reason
    acceptance.save(update_fields=["released_at", "release_reason"])
    tasks.send_released_email.delay_on_commit(request.pk, acceptance.pk)
    request.status = SpotRequest.Status.OPEN
    request.volunteer = None
    request.accepted_at = None
    request.agreed_on = None
    request.save(update_fields=["status", "volunteer", "accepted_at", "agreed_on"])
    return request


@transaction.atomic
def agree_date(*, request: SpotRequest, volunteer: VolunteerProfile, day) -> SpotRequest:
    request = locked_for_volunteer(request, volunteer)
    if request.status != SpotRequest.Status.ACCEPTED:
        raise SpotError(_("Only an accepted request can get a date."))
    request.agreed_on = day
    request.save(update_fields=["agreed_on"])
    return request


@transaction.atomic
def mark_done(
    *, request: SpotRequest, volunteer: VolunteerProfile, report: str, minutes_spent: int, follow_up_needed: bool
) -> SpotRequest:
    request = locked_for_volunteer(request, volunteer)
    if request.status != SpotRequest.Status.ACCEPTED:
        raise SpotError(_("Only an accepted request can be marked done."))
    request.status = SpotRequest.Status.DONE
    request.done_at = timezone.now()
    request.report = report
    request.minutes_spent = minutes_spent
    request.follow_up_needed = follow_up_needed
    request.save(update_fields=["status", "done_at", "report", "minutes_spent", "follow_up_needed"])
    return request


def locked_for_resident(request: SpotRequest, resident: Resident) -> SpotRequest:
    request = SpotRequest.objects.select_for_update().get(pk=request.pk)
    if request.resident_id != resident.pk:
        raise PermissionDenied("this request belongs to another resident")
    return request


@transaction.atomic
def cancel_request(*, request: SpotRequest, resident: Resident) -> SpotRequest:
    """The resident no longer needs help; an accepted volunteer is told."""
    request = locked_for_resident(request, resident)
    if request.status not in (SpotRequest.Status.OPEN, SpotRequest.Status.ACCEPTED):
        raise SpotError(_("This request can no longer be cancelled."))
    volunteer_id = request.volunteer_id
    request.acceptances.filter(released_at__isnull=True).update(
        released_at=timezone.now(), release_reason=_("cancelled by the resident")
    )
    request.status = SpotRequest.Status.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["status", "cancelled_at"])
    if volunteer_id:
        tasks.send_cancelled_email.delay_on_commit(request.pk, volunteer_id)
    return request


@transaction.atomic
def give_feedback(*, request: SpotRequest, resident: Resident, feedback: str) -> SpotRequest:
    request = locked_for_resident(request, resident)
    if request.status != SpotRequest.Status.DONE:
        raise SpotError(_("You can send thanks once the help is done."))
    if request.feedback_at:
        raise SpotError(_("Thank you — we already have your feedback."))
    request.feedback = feedback
    request.feedback_at = timezone.now()
    request.save(update_fields=["feedback", "feedback_at"])
    return request


@transaction.atomic
def wish_for_ofp(*, request: SpotRequest, resident: Resident | None = None, volunteer: VolunteerProfile | None = None):
    """One side of a done request would like to continue as an OFP pair; when both have said so, the OFP
    application is made (matching.services.apply_from_spot), already proposed to this volunteer."""
    if resident is not None:
        request = locked_for_resident(request, resident)
        request.resident_wants_ofp = True
        request.resident_ofp_consented_at = request.resident_ofp_consented_at or timezone.now()
    else:
        request = locked_for_volunteer(request, volunteer)
        request.volunteer_wants_ofp = True
    if request.status != SpotRequest.Status.DONE:
        raise SpotError(_("Only after a done request can you continue as an OFP pair."))
    request.save(update_fields=["resident_wants_ofp", "resident_ofp_consented_at", "volunteer_wants_ofp"])
    if request.resident_wants_ofp and request.volunteer_wants_ofp and not request.ofp_requested_at:
        try:
            apply_from_spot(
                resident=request.resident,
                volunteer=request.volunteer,
                area=request.area,
                languages=list(request.languages.all()),
                consented_at=request.resident_ofp_consented_at,
            )
        except MatchingError as error:  # e.g. the volunteer has no free OFP place right now
            raise SpotError(
                _("We could not set up the OFP pair right away. A coordinator will contact you.")
            ) from error
        request.ofp_requested_at = timezone.now()
        request.save(update_fields=["ofp_requested_at"])
    return request
