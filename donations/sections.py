from donations.models import Campaign


def current_campaign_context(request) -> dict:
    """The running campaign for the home page (two queries: the campaign, its suggested amounts)."""
    return {"campaign": Campaign.objects.running().prefetch_related("tiers").first()}
