"""OFP emails and the daily follow-up job. Tasks take ids, reload, and send each message once."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from jii.emails import send_localized_email
from jii.status_links import status_url
from matching.models import PAIR_MONTHS, FollowUp, Match, add_months
from matching.selectors import pair_with_people

OVERDUE_AFTER_DAYS = 7  # a month's check-in is overdue this many days into the next month
END_NOTICE_DAYS = 14


def volunteer_page_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("volunteer_dashboard")


def admin_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


@shared_task
def send_application_received(application_id: int) -> None:
    from matching.models import Application

    application = Application.objects.select_related("resident").filter(pk=application_id).first()
    if application is None:
        return
    resident = application.resident
    send_localized_email(
        "ofp_application_received",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "status_url": status_url(resident)},
    )


@shared_task
def send_proposal_emails(match_id: int) -> None:
    match = pair_with_people(match_id)
    if match is None or match.status != Match.Status.PROPOSED:
        return
    resident, volunteer = match.application.resident, match.volunteer.user
    if not match.resident_accepted_at:  # e.g. a Spot pair's own application: the resident has already said yes
        send_localized_email(
            "ofp_proposal_resident",
            to=resident.email,
            language=resident.language,
            context={"name": resident.name, "match": match, "status_url": status_url(resident)},
        )
    send_localized_email(
        "ofp_proposal_volunteer",
        to=volunteer.email,
        language=volunteer.language,
        context={"name": volunteer.name, "match": match, "volunteer_url": volunteer_page_url(volunteer.language)},
    )


@shared_task
def send_pair_started_emails(match_id: int) -> None:
    """Both have accepted: now, and only now, each gets the other's contact details."""
    match = pair_with_people(match_id)
    if match is None or match.status != Match.Status.ACTIVE:
        return
    resident, volunteer = match.application.resident, match.volunteer
    context = {"match": match, "resident": resident, "volunteer": volunteer}
    send_localized_email(
        "ofp_pair_started_resident",
        to=resident.email,
        language=resident.language,
        context={**context, "status_url": status_url(resident)},
    )
    send_localized_email(
        "ofp_pair_started_volunteer",
        to=volunteer.user.email,
        language=volunteer.user.language,
        context={**context, "volunteer_url": volunteer_page_url(volunteer.user.language)},
    )


def notify_coordinators(name: str, match_id: int) -> None:
    send_localized_email(
        name,
        to=settings.COORDINATOR_EMAIL,
        language="ja",
        context={"match_id": match_id, "admin_url": admin_url("admin:matching_match_change", match_id)},
    )


@shared_task
def notify_coordinator_of_decline(match_id: int) -> None:
    notify_coordinators("ofp_declined_coordinator", match_id)


@shared_task
def notify_coordinator_of_concern(match_id: int) -> None:
    notify_coordinators("ofp_concern_coordinator", match_id)


@shared_task
@transaction.atomic
def send_follow_up(match_id: int, kind: str, month: int) -> None:
    """Send one follow-up, recorded in the same transaction: a second delivery finds the record and stops,
    and a failed send rolls the record back so the retry sends it."""
    match = pair_with_people(match_id)
    # Reminders go to running pairs only; the closing survey also to a pair that has just been closed.
    allowed = [Match.Status.ACTIVE]
    if kind == FollowUp.Kind.CLOSING_SURVEY:
        allowed += [Match.Status.COMPLETED, Match.Status.ENDED_EARLY]
    if match is None or match.status not in allowed:
        return
    try:
        with transaction.atomic():
            FollowUp.objects.create(match=match, kind=kind, month=month)
    except IntegrityError:
        return
    resident, volunteer = match.application.resident, match.volunteer.user
    volunteer_context = {
        "name": volunteer.name,
        "month": month,
        "match": match,
        "volunteer_url": volunteer_page_url(volunteer.language),
    }
    if kind in (FollowUp.Kind.CHECK_IN_REMINDER, FollowUp.Kind.CHECK_IN_OVERDUE):
        send_localized_email(f"ofp_{kind}", to=volunteer.email, language=volunteer.language, context=volunteer_context)
    elif kind in (FollowUp.Kind.MIDPOINT_SURVEY, FollowUp.Kind.CLOSING_SURVEY):
        survey = "midpoint" if kind == FollowUp.Kind.MIDPOINT_SURVEY else "closing"
        send_localized_email(
            "ofp_survey_resident",
            to=resident.email,
            language=resident.language,
            context={"name": resident.name, "survey": survey, "status_url": status_url(resident)},
        )
        send_localized_email(
            "ofp_survey_volunteer",
            to=volunteer.email,
            language=volunteer.language,
            context={**volunteer_context, "survey": survey},
        )
    elif kind == FollowUp.Kind.END_NOTICE:
        send_localized_email(
            "ofp_end_notice_coordinator",
            to=settings.COORDINATOR_EMAIL,
            language="ja",
            context={"match": match, "admin_url": admin_url("admin:matching_match_change", match.pk)},
        )


def due_follow_ups(match: Match, today, checked_in_months: set) -> list[tuple[str, int]]:
    """What a pair should have been sent by today, as (kind, month). Pure, so it is easy to test."""
    month = match.month_on(today)
    # Each month's reminder goes out when the month begins (on the pair's start day of the month).
    due = [(FollowUp.Kind.CHECK_IN_REMINDER, month)]
    previous = month - 1
    overdue_from = add_months(match.starts_on, previous) + timedelta(days=OVERDUE_AFTER_DAYS)
    if previous >= 1 and previous not in checked_in_months and today >= overdue_from:
        due.append((FollowUp.Kind.CHECK_IN_OVERDUE, previous))
    if today >= add_months(match.starts_on, PAIR_MONTHS // 2):
        due.append((FollowUp.Kind.MIDPOINT_SURVEY, 0))
    if today >= match.ends_on:
        due.append((FollowUp.Kind.CLOSING_SURVEY, 0))
    if today >= match.ends_on - timedelta(days=END_NOTICE_DAYS):
        due.append((FollowUp.Kind.END_NOTICE, 0))
    return due


@shared_task
def send_due_follow_ups() -> int:
    """Daily (Celery beat): check-in reminders, overdue reminders, surveys, and the coordinators' notice two
    weeks before a pair ends. Safe to run any number of times: each follow-up is recorded once."""
    today = timezone.localdate()
    queued = 0
    active = Match.objects.filter(status=Match.Status.ACTIVE).prefetch_related("check_ins", "follow_ups")
    for match in active:
        already = {(follow_up.kind, follow_up.month) for follow_up in match.follow_ups.all()}
        checked_in = {check_in.month for check_in in match.check_ins.all()}
        for kind, month in due_follow_ups(match, today, checked_in):
            if (kind, month) not in already:
                send_follow_up.delay(match.pk, kind, month)
                queued += 1
    return queued
