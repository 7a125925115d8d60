"""Spot's sections on the resident's status page and the volunteer's page (see jii/sections.py)."""

from spot.forms import FeedbackForm, OfpWishForm
from spot.models import SpotRequest


def status_context(request, resident):
    requests = list(
        SpotRequest.objects.filter(resident=resident).select_related("volunteer__user", "area").order_by("-created_at")
    )
    if not requests:
        return None
    return {
        "spot_requests": requests,
        "token": request.resolver_match.kwargs["token"],
        "feedback_form": FeedbackForm(),
        "ofp_form": OfpWishForm(),
    }


def volunteer_context(request, profile):
    requests = list(
        SpotRequest.objects.filter(volunteer=profile, status=SpotRequest.Status.ACCEPTED)
        .select_related("area")
        .order_by("agreed_on", "accepted_at")
    )
    return {"spot_requests": requests}
