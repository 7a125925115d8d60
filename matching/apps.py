from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.groups import COORDINATORS


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("OFP pairing")
    group_permissions = {
        COORDINATORS: [
            f"matching.{action}_{model}"
            for model in ["application", "match", "checkin", "survey", "intakeround", "roundsuggestion"]
            + ["residentcheckin", "extension"]
            for action in ["view", "change"]
        ]
        + ["matching.add_intakeround", "matching.view_followup"],
    }

    def ready(self):
        import matching.messages  # noqa: F401  (registers OFP's message builders)
        from jii.audit import register
        from jii.catalogs import register_not_for_residents
        from jii.figures import register_figures
        from jii.hours import register_hours
        from jii.intake import register_form
        from jii.readiness import register_release
        from jii.sections import always_shown, register_section
        from matching import privacy as matching_privacy
        from matching import selectors as matching_selectors
        from matching import services
        from matching.models import Application, CheckIn, Extension, Match, ResidentCheckIn
        from matching.sections import desk_context, public_figures, status_context, volunteer_context

        # The change audit (jii/audit.py): free text and the station near home are masked.
        register(Application, masked=["message", "nearest_station"], m2m=["languages"])
        register(Match, masked=["decline_reason", "end_note"])
        register(CheckIn, masked=["note", "concern"])
        register(ResidentCheckIn, masked=["need"])
        register(Extension)

        register_section("programs", "matching/_home_card.html", always_shown)
        register_section("status", "matching/_status.html", status_context)
        register_section("volunteer", "matching/_volunteer.html", volunteer_context)
        register_release(services.release_volunteer)
        register_section("desk", "admin/matching/_desk.html", desk_context)
        register_figures("matching", public_figures)
        register_hours("ofp", _("Otonari-san Family Friend Program (OFP)"), matching_selectors.hours_given)
        matching_privacy.register()
        # The admin's assisted intake links to this form (jii/intake.py).
        register_form(pgettext_lazy("staff", "OFP application"), "ofp:apply")
        # Only coordinators read the reasons beside candidates (jii/catalogs.py).
        register_not_for_residents(r"matching/explain\.py")
