from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.groups import COORDINATORS


class SpotConfig(AppConfig):
    name = "spot"
    verbose_name = _("Spot Otonari-san")
    group_permissions = {
        COORDINATORS: ["spot.view_spotrequest", "spot.change_spotrequest", "spot.view_acceptance"],
    }

    def ready(self):
        import spot.messages  # noqa: F401  (registers Spot's message builders)
        from jii.audit import register
        from jii.catalogs import register_not_for_residents
        from jii.figures import register_figures
        from jii.hours import register_hours
        from jii.intake import register_form
        from jii.readiness import register_release
        from jii.sections import always_shown, register_section
        from spot import privacy as spot_privacy
        from spot import selectors as spot_selectors
        from spot import services
        from spot.models import SpotRequest
        from spot.sections import public_figures, status_context, volunteer_context

        # The change audit (jii/audit.py): the resident's words, the volunteer's report and the phone are masked.
        register(SpotRequest, masked=["description", "phone", "report", "feedback"], m2m=["languages"])

        register_section("programs", "spot/_home_card.html", always_shown)
        register_section("status", "spot/_status.html", status_context)
        register_section("volunteer", "spot/_volunteer.html", volunteer_context)
        register_release(services.release_volunteer)
        register_figures("spot", public_figures)
        register_hours("spot", _("Spot Otonari-san"), spot_selectors.hours_given)
        spot_privacy.register()
        # The admin's assisted intake links to this form (jii/intake.py).
        register_form(pgettext_lazy("staff", "Spot request"), "spot:request")
        # Strings only staff, volunteers or donors read: volunteers' board and alerts (jii/catalogs.py).
        register_not_for_residents(
            r"spot/board\.html|spot/detail\.html|spot/_board_card\.html|spot/board_entry\.html|spot_alert|_spot_entry"
        )
