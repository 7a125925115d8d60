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


def public_figures():
    """For the campaign page: Spot requests helped this year."""
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    this_year = timezone.localdate().replace(month=1, day=1)
    done = SpotRequest.objects.filter(status=SpotRequest.Status.DONE, done_at__date__gte=this_year).count()
    return [(_("Spot requests helped this year"), done)]
