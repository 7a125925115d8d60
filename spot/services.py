"""Every state change of a Spot request, one transaction each, with the messages it causes written to the
outbox in it (spot/messages.py builds them). The first volunteer to accept wins."""

import logging
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jii import audit, outbox, readiness
from jii.models import Area, Language, PrivacyNotice, Resident, User, VolunteerProfile
from jii.services import find_or_create_resident
from matching.handover import MatchingError, apply_from_spot
from spot.models import TOPICS_BY_CATEGORY, Acceptance, Alert, SpotRequest
from spot.selectors import volunteers_who_fit

logger = logging.getLogger(__name__)

ESCALATE_AFTER = timedelta(hours=48)
WIDER_ROUND_AFTER = timedelta(hours=24)
FEEDBACK_AFTER = timedelta(days=1)
FEEDBACK_UNTIL = timedelta(days=8)  # a request done longer ago is not asked about any more


class SpotError(Exception):
    """A step the request's current state does not allow; the message is for the person who tried."""


class AlreadyTaken(SpotError):
    pass


@transaction.atomic
def submit_request(
    *, email: str, language: str, resident_details: dict[str, Any], languages: list[Language], **details: Any
) -> SpotRequest:
    resident = find_or_create_resident(email=email, language=language, languages=languages, **resident_details)
    request = SpotRequest.objects.create(
        resident=resident, consented_at=timezone.now(), privacy_notice=PrivacyNotice.objects.current(), **details
    )
    request.languages.set(languages)
    outbox.queue("spot_request_received", once=request.pk, to=resident, request=request.pk)
    transaction.on_commit(partial(start_alerts, request.pk))
    return request


@transaction.atomic
def submit_from_consultation(
    *,
    resident: Resident,
    topic: str,
    description: str,
    languages: list[Language],
    modes: list[str],
    area: Area,
    urgency: int,
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
        privacy_notice=PrivacyNotice.objects.current(),
    )
    request.languages.set(languages)
    outbox.queue("spot_request_received", once=request.pk, to=resident, request=request.pk)
    transaction.on_commit(partial(start_alerts, request.pk))
    return request


@transaction.atomic
def accept_request(
    *, request: SpotRequest, volunteer: VolunteerProfile, assigned_by: User | None = None
) -> SpotRequest:
    """Take an open request. Of any number of volunteers accepting at the same moment exactly one succeeds:
    the conditional UPDATE lets the database pick the winner (the others find it no longer open), and the
    acceptance table's unique index would refuse a second winner anyway."""
    try:
        readiness.check_ready(volunteer)
    except readiness.NotReady as not_ready:
        raise SpotError(str(not_ready)) from not_ready
    now = timezone.now()
    taken = audit.update(
        SpotRequest.objects.filter(pk=request.pk, status=SpotRequest.Status.OPEN),
        status=SpotRequest.Status.ACCEPTED,
        volunteer=volunteer,
        accepted_at=now,
    )
    if not taken:
        status = SpotRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
        if status == SpotRequest.Status.ACCEPTED:
            raise AlreadyTaken(_("Someone else has already taken this request. Thank you for offering!"))
        raise SpotError(_("This request is no longer open."))
    try:
        with transaction.atomic():
            acceptance = Acceptance.objects.create(
                request_id=request.pk, volunteer=volunteer, accepted_at=now, assigned_by=assigned_by
            )
    except IntegrityError as error:
        raise AlreadyTaken(_("Someone else has already taken this request. Thank you for offering!")) from error
    request = SpotRequest.objects.select_related("resident", "volunteer__user").get(pk=request.pk)
    once = acceptance.pk
    outbox.queue("spot_accepted_resident", once=once, to=request.resident, request=request.pk, acceptance=once)
    if assigned_by is not None:  # a volunteer who accepted themselves knows; one assigned by a coordinator is told
        outbox.queue(
            "spot_assigned_volunteer", once=once, to=request.volunteer.user, request=request.pk, acceptance=once
        )
    return request


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
    outbox.queue(
        "spot_released_resident", once=acceptance.pk, to=request.resident, request=request.pk, acceptance=acceptance.pk
    )
    request.status = SpotRequest.Status.OPEN
    request.volunteer = None
    request.accepted_at = None
    request.agreed_on = None
    request.save(update_fields=["status", "volunteer", "accepted_at", "agreed_on"])
    # Open again: volunteers who fit and were not told before hear of it now.
    transaction.on_commit(partial(start_alerts, request.pk))
    return request


@transaction.atomic
def release_volunteer(profile: VolunteerProfile, *, leaving: str = "") -> None:
    """The volunteer was suspended or left JII: the requests they accepted and have not done go back on the board,
    and each resident is told (jii.readiness.register_release)."""
    reason = _("The volunteer has left JII.") if leaving else pgettext("staff", "The volunteer can no longer help.")
    for request in SpotRequest.objects.filter(volunteer=profile, status=SpotRequest.Status.ACCEPTED):
        release_request(request=request, volunteer=profile, reason=str(reason))


@transaction.atomic
def agree_date(*, request: SpotRequest, volunteer: VolunteerProfile, day: date) -> SpotRequest:
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
        volunteer = VolunteerProfile.objects.select_related("user").get(pk=volunteer_id)
        outbox.queue("spot_cancelled_volunteer", once=request.pk, to=volunteer.user, request=request.pk)
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
def wish_for_ofp(
    *, request: SpotRequest, resident: Resident | None = None, volunteer: VolunteerProfile | None = None
) -> SpotRequest:
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


@transaction.atomic
def escalate_stale_requests(now: datetime) -> list[int]:
    """Requests open for 48 hours go to the coordinators, each once, in one email listing their numbers."""
    stale = SpotRequest.objects.open().filter(created_at__lte=now - ESCALATE_AFTER, escalated_at__isnull=True)
    request_ids = list(stale.select_for_update().order_by("pk").values_list("pk", flat=True))
    if request_ids:
        audit.update(SpotRequest.objects.filter(pk__in=request_ids), escalated_at=now)
        outbox.queue(
            "spot_escalated_coordinator",
            once=f"{request_ids[0]}:{now.isoformat()}",
            to=settings.COORDINATOR_EMAIL,
            language=settings.LANGUAGE_CODE,
            requests=request_ids,
        )
    return request_ids


@transaction.atomic
def remind_of_tomorrow(today: date) -> int:
    """The day before the agreed date: the resident and the volunteer, once for this date and this volunteer."""
    tomorrow = today + timedelta(days=1)
    due = SpotRequest.objects.filter(status=SpotRequest.Status.ACCEPTED, agreed_on=tomorrow)
    reminded = 0
    for request in due.select_related("resident", "volunteer__user"):
        once = f"{request.pk}:{request.volunteer_id}:{tomorrow.isoformat()}"
        ids = {"request": request.pk, "volunteer": request.volunteer_id, "day": tomorrow.isoformat()}
        written = outbox.queue("spot_reminder_resident", once=once, to=request.resident, **ids)
        outbox.queue("spot_reminder_volunteer", once=once, to=request.volunteer.user, **ids)
        reminded += written is not None
    return reminded


@transaction.atomic
def ask_for_feedback(now: datetime) -> int:
    """A day after a request is done, the resident is asked how it went (unless they have said already)."""
    done = SpotRequest.objects.filter(
        status=SpotRequest.Status.DONE,
        done_at__lte=now - FEEDBACK_AFTER,
        done_at__gt=now - FEEDBACK_UNTIL,
        feedback_at__isnull=True,
    )
    asked = 0
    for request in done.select_related("resident"):
        asked += (
            outbox.queue("spot_feedback_request", once=request.pk, to=request.resident, request=request.pk) is not None
        )
    return asked


def start_alerts(request_id: int) -> None:
    """After the commit: hand the alerting to Celery. A broker that is down only delays it: the periodic job
    alerts every open request that was not (alerted_at stays empty)."""
    from spot.tasks import alert_volunteers

    try:
        alert_volunteers.apply_async((request_id,), retry=False)
    except Exception as error:  # Redis down or unreachable
        logger.warning("spot request %s: alerts wait for the periodic job (%s)", request_id, error)


def start_of_day(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


@transaction.atomic
def alert_volunteers(request_id: int, *, wider: bool = False, now: datetime | None = None) -> int:
    """Tell the volunteers who fit an open request, each once (the first round, or the wider one): an alert
    through the outbox to each who wants every alert, within SPOT_ALERTS_PER_DAY a day; the others' alerts wait
    for the daily digest. Those who want no alerts are left out. Returns the number of volunteers told or to be
    told."""
    now = now or timezone.now()
    request = SpotRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.status != SpotRequest.Status.OPEN:
        return 0
    stamp = "wider_round_at" if wider else "alerted_at"
    setattr(request, stamp, getattr(request, stamp) or now)
    request.save(update_fields=[stamp])
    told = set(request.alerts.values_list("volunteer_id", flat=True))
    Wants = VolunteerProfile.SpotAlerts
    fitting = [
        volunteer
        for volunteer in volunteers_who_fit(request, wider=wider)
        if volunteer.pk not in told and volunteer.spot_alerts != Wants.NONE
    ]
    alerted_today = dict(
        Alert.objects.filter(
            volunteer__in=[volunteer.pk for volunteer in fitting], digest=False, created_at__gte=start_of_day(now)
        )
        .values("volunteer")
        .annotate(count=Count("pk"))
        .values_list("volunteer", "count")
    )
    alerts = []
    for volunteer in fitting:
        digest = (
            volunteer.spot_alerts == Wants.DIGEST or alerted_today.get(volunteer.pk, 0) >= settings.SPOT_ALERTS_PER_DAY
        )
        alerts.append(
            Alert(request=request, volunteer=volunteer, round=2 if wider else 1, digest=digest, created_at=now)
        )
        if not digest:
            outbox.queue(
                "spot_alert",
                once=f"{request.pk}:{volunteer.pk}",
                to=volunteer.user,
                not_before=volunteer.quiet_ends_at(now),
                request=request.pk,
            )
    Alert.objects.bulk_create(alerts)
    return len(alerts)


def widen_unaccepted(now: datetime) -> list[int]:
    """Requests nobody has taken in 24 hours: the wider second round of alerts, once each, before the 48-hour
    escalation to coordinators."""
    due = SpotRequest.objects.open().filter(
        created_at__lte=now - WIDER_ROUND_AFTER,
        created_at__gt=now - ESCALATE_AFTER,
        wider_round_at__isnull=True,
        escalated_at__isnull=True,
    )
    request_ids = list(due.order_by("pk").values_list("pk", flat=True))
    for request_id in request_ids:
        alert_volunteers(request_id, wider=True, now=now)
    return request_ids


def alert_missed(now: datetime) -> list[int]:
    """Open requests of the last day whose first round never ran (the broker was down when they opened); older
    ones get the wider round, which reaches everyone the first would have."""
    missed = SpotRequest.objects.open().filter(
        alerted_at__isnull=True, created_at__lte=now - timedelta(minutes=5), created_at__gt=now - WIDER_ROUND_AFTER
    )
    request_ids = list(missed.order_by("pk").values_list("pk", flat=True))
    for request_id in request_ids:
        alert_volunteers(request_id, now=now)
    return request_ids


@transaction.atomic
def send_digests(now: datetime) -> int:
    """Once a day per volunteer: one message listing the open requests that fit them and were kept for the
    digest (their choice, or beyond the day's alerts). Requests taken meanwhile are left out."""
    waiting = (
        Alert.objects.select_for_update()
        .filter(digest=True, digested_at__isnull=True, request__status=SpotRequest.Status.OPEN)
        # Kept back while the volunteer may not help (paused, suspended, insurance lapsed…): later, if they are open.
        .filter(volunteer__in=VolunteerProfile.objects.ready())
        .select_related("volunteer__user")
        .order_by("volunteer_id", "request_id")
    )
    by_volunteer: dict[VolunteerProfile, list[Alert]] = {}
    for alert in waiting:
        by_volunteer.setdefault(alert.volunteer, []).append(alert)
    day = timezone.localdate(now).isoformat()
    sent = 0
    for volunteer, alerts in by_volunteer.items():
        request_ids = [alert.request_id for alert in alerts]
        message = outbox.queue(
            "spot_alert_digest",
            once=f"{volunteer.pk}:{day}",
            to=volunteer.user,
            not_before=volunteer.quiet_ends_at(now),
            volunteer=volunteer.pk,
            requests=request_ids,
        )
        if message is not None:  # one a day: the rest wait for tomorrow's
            Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(digested_at=now)
            sent += 1
    return sent
