"""Lookups every program's views make the same way: the resident of a status link, the approved volunteer."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jii.models import Resident, VolunteerProfile
from jii.status_links import resident_for_token


def resident_or_404(token: str) -> Resident:
    """The resident of a status-link token in the URL; a tampered, expired or revoked token finds nothing."""
    resident = resident_for_token(token)
    if resident is None:
        raise Http404
    return resident


def approved_profile(user) -> VolunteerProfile | None:
    """The user's volunteer profile if a coordinator has approved it: only then do they see any resident."""
    if not user.is_authenticated:
        return None
    return VolunteerProfile.objects.approved().filter(user=user).first()


def approved_profile_or_403(user) -> VolunteerProfile:
    profile = approved_profile(user)
    if profile is None:
        raise PermissionDenied
    return profile
