"""State changes of the shared core. Each is one transaction; emails go out by Celery after commit."""

from django.db import transaction
from django.utils import timezone

from jii.models import Resident, User, VolunteerProfile
from jii.tasks import send_volunteer_approved_email


@transaction.atomic
def find_or_create_resident(*, email: str, language: str, **details) -> Resident:
    """The resident with this email (any letter case), created on first contact, updated with the newest
    details they gave: so one person's OFP application, Spot requests and consultations share one record."""
    languages = details.pop("languages", None)
    resident = Resident.objects.select_for_update().filter(email__iexact=email.strip()).first()
    if resident is None:
        resident = Resident(email=email.strip().lower())
    for field, value in details.items():
        setattr(resident, field, value)
    resident.language = language
    resident.save()
    if languages is not None:
        resident.languages.add(*languages)
    return resident


@transaction.atomic
def save_volunteer_profile(*, user: User, name: str, languages: list[tuple], **fields) -> VolunteerProfile:
    """Create or update the volunteer's own profile. `languages` is a list of (Language, level).
    A new profile waits for a coordinator; editing an approved profile keeps it approved."""
    if name != user.name:
        user.name = name
        user.save(update_fields=["name"])
    profile, _ = VolunteerProfile.objects.update_or_create(user=user, defaults=fields)
    profile.languages.exclude(language__in=[language for language, _ in languages]).delete()
    for language, level in languages:
        profile.languages.update_or_create(language=language, defaults={"level": level})
    return profile


@transaction.atomic
def approve_volunteer(*, profile: VolunteerProfile, approved_by: User) -> bool:
    """Approve a waiting volunteer and email them in their language. False if they were not waiting."""
    profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != VolunteerProfile.Status.PENDING:
        return False
    profile.status = VolunteerProfile.Status.APPROVED
    profile.approved_at = timezone.now()
    profile.approved_by = approved_by
    profile.save(update_fields=["status", "approved_at", "approved_by"])
    send_volunteer_approved_email.delay_on_commit(profile.pk)
    return True
