"""Celery tasks of the shared core: they take ids, reload, and are safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jii.emails import send_localized_email
from jii.models import Resident, VolunteerProfile
from jii.status_links import status_url


@shared_task
@transaction.atomic
def send_volunteer_approved_email(profile_id: int) -> None:
    # The row lock and the timestamp make a redelivered task a no-op; a failed send rolls the timestamp back.
    profiles = VolunteerProfile.objects.select_for_update(of=("self",)).select_related("user")
    profile = profiles.filter(pk=profile_id).first()
    if profile is None or not profile.is_approved or profile.approval_emailed_at:
        return
    profile.approval_emailed_at = timezone.now()
    profile.save(update_fields=["approval_emailed_at"])
    user = profile.user
    send_localized_email("volunteer_approved", to=user.email, language=user.language, context={"name": user.name})


@shared_task
def send_status_link_email(resident_id: int) -> None:
    resident = Resident.objects.filter(pk=resident_id).first()
    if resident is None:
        return
    send_localized_email(
        "status_link",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "status_url": status_url(resident)},
    )


@shared_task
def remind_coordinators_of_pending_volunteers() -> int:
    """Daily: tell the coordinators' inbox how many volunteers wait for approval (a count, no names)."""
    waiting = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.PENDING)
    count = waiting.count()
    if count:
        oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first()
        send_localized_email(
            "pending_volunteers",
            to=settings.COORDINATOR_EMAIL,
            language="ja",
            context={"count": count, "waiting_days": (timezone.now() - oldest).days},
        )
    return count
