from django import template

from donations.models import Campaign

register = template.Library()


@register.inclusion_tag("donations/_current_campaign.html")
def current_campaign():
    """The running campaign for the home page (one query, tiers prefetched)."""
    return {"campaign": Campaign.objects.running().prefetch_related("tiers").first()}
