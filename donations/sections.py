from donations.models import Campaign


def current_campaign_context(request) -> dict | None:
    """The running campaign for the home page (two queries: the campaign, its suggested amounts)."""
    campaign = Campaign.objects.running().prefetch_related("tiers").first()
    return {"campaign": campaign} if campaign else None
