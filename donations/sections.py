from django.db.models import Count, Q
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
    """Today's desk, for donations staff: the monthly and yearly gifts whose payment failed, and bank transfers paid
    beyond the gift that wait to be returned (one query)."""
    if not request.user.has_perm("donations.view_donation"):
        return None
    counts = Donation.objects.aggregate(
        past_due=Count("pk", filter=Q(status=Donation.Status.PAST_DUE)),
        paid_beyond=Count("pk", filter=Q(excess_yen__gt=0)),
    )
    changelist = reverse("admin:donations_donation_changelist")
    links = {"url": past_due_link(), "paid_beyond_url": changelist + "?paid_beyond=yes"}
    return {**counts, **links} if any(counts.values()) else None
