from django.urls import reverse

from donations.models import Campaign, Donation


def current_campaign_context(request) -> dict | None:
    """The running campaign for the home page (two queries: the campaign, its suggested amounts)."""
    campaign = Campaign.objects.running().prefetch_related("tiers").first()
    return {"campaign": campaign} if campaign else None


def past_due_link() -> str:
    """The donations list filtered to the gifts whose payment failed."""
    return reverse("admin:donations_donation_changelist") + f"?status__exact={Donation.Status.PAST_DUE}"


def desk_context(request) -> dict | None:
    """Today's desk, for donations staff: the monthly and yearly gifts whose payment failed (one query)."""
    if not request.user.has_perm("donations.view_donation"):
        return None
    count = Donation.objects.filter(status=Donation.Status.PAST_DUE).count()
    return {"count": count, "url": past_due_link()} if count else None
