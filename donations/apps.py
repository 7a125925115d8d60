from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jii.groups import COORDINATORS, DONATIONS_STAFF


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")
    group_permissions = {
        DONATIONS_STAFF: [
            "donations.view_campaign",
            "donations.add_campaign",
            "donations.change_campaign",
            "donations.view_impacttier",
            "donations.add_impacttier",
            "donations.change_impacttier",
            "donations.delete_impacttier",
        ],
        COORDINATORS: ["donations.view_campaign"],
    }

    def ready(self):
        from donations.sections import current_campaign_context
        from jii.sections import register_section

        register_section("home", "donations/_current_campaign.html", current_campaign_context)
