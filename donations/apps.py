from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jii.groups import COORDINATORS, DONATIONS_STAFF


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")
    group_permissions = {
        DONATIONS_STAFF: [
            f"donations.{action}_{model}"
            for model in ["campaign", "impacttier", "voice"]
            for action in ["view", "add", "change"]
        ]
        + [
            "donations.delete_impacttier",
            "donations.delete_voice",
            "donations.view_donation",
            "donations.change_donation",
            "donations.view_payment",
            "donations.add_payment",
            "donations.view_bankstatement",
            "donations.view_statementline",
            "donations.view_stripeevent",
            "donations.view_receipt",
            "donations.change_receipt",
            "donations.view_donor",
            "donations.change_donor",
        ],
        COORDINATORS: ["donations.view_campaign"],
    }

    def ready(self):
        from django.core import checks

        import donations.messages  # noqa: F401  (registers the donors' message builders)
        from donations import privacy as donations_privacy
        from donations.checks import (
            payment_methods_are_known,
            stripe_api_is_stripes,
            stripe_api_version_matches_library,
        )
        from donations.models import BankStatement, Donation, Donor, Payment, Receipt, StatementLine
        from donations.sections import current_campaign_context, desk_context
        from jii.audit import register
        from jii.catalogs import register_not_for_residents
        from jii.sections import register_section

        register_section("home", "donations/_current_campaign.html", current_campaign_context)
        register_section("desk", "admin/donations/_desk.html", desk_context)
        checks.register(stripe_api_version_matches_library)
        checks.register(stripe_api_is_stripes, checks.Tags.security, deploy=True)
        checks.register(payment_methods_are_known)
        donations_privacy.register()

        # The change audit (jii/audit.py): donors' names, contacts and messages are masked; money is not.
        register(Donation, masked=["name", "name_kana", "email", "phone", "address", "nickname", "message"])
        register(Donor, masked=["name", "name_kana", "email", "phone", "address", "notes"])
        register(Payment)
        register(Receipt, masked=["donor_name", "donor_email", "donor_address", "void_reason"], m2m=["covers"])
        # A statement line names the sender (and the bank's text may too).
        register(BankStatement, masked=["file_name"])
        register(StatementLine, masked=["kana", "reference"])
        # Strings only staff, volunteers or donors read: donors' pages, messages and receipts (jii/catalogs.py).
        register_not_for_residents(r"donation|templates/donations/|donations/|receipts\.py")
