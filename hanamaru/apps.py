from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.groups import COORDINATORS


class HanamaruConfig(AppConfig):
    name = "hanamaru"
    verbose_name = _("Hanamaru classes")
    # Children's data is for coordinators only (tutors see first names and levels on their own page).
    group_permissions = {
        COORDINATORS: [
            "hanamaru.view_class",
            "hanamaru.add_class",
            "hanamaru.change_class",
            "hanamaru.view_session",
            "hanamaru.add_session",
            "hanamaru.change_session",
            "hanamaru.view_child",
            "hanamaru.change_child",
            "hanamaru.view_enrolment",
            "hanamaru.change_enrolment",
            "hanamaru.view_tutorsignup",
            "hanamaru.view_absence",
            "hanamaru.view_consenttext",
            "hanamaru.add_consenttext",
        ],
    }

    def ready(self):
        import hanamaru.messages  # noqa: F401  (registers Hanamaru's message builders)
        from hanamaru import privacy as hanamaru_privacy
        from hanamaru import selectors as hanamaru_selectors
        from hanamaru import services
        from hanamaru.models import Absence, Child, Enrolment
        from hanamaru.sections import public_figures, status_context, volunteer_context
        from hanamaru.selectors import class_choices, class_tutors, session_choices, session_tutors
        from jii.audiences import register_audience
        from jii.audit import register
        from jii.catalogs import register_not_for_residents
        from jii.figures import register_figures
        from jii.hours import register_hours
        from jii.intake import register_form
        from jii.readiness import register_release
        from jii.sections import always_shown, register_section

        # The change audit (jii/audit.py): a child's names, school and needs are masked.
        register(Child, masked=["first_name", "family_name", "school", "needs"], m2m=["home_languages"])
        register(Enrolment)
        register(Absence, masked=["reason"])

        register_section("programs", "hanamaru/_home_card.html", always_shown)
        register_section("status", "hanamaru/_status.html", status_context)
        register_section("volunteer", "hanamaru/_volunteer.html", volunteer_context)
        register_release(services.release_volunteer)
        register_figures("hanamaru", public_figures)
        register_hours("hanamaru", _("Hanamaru class"), hanamaru_selectors.hours_given)
        hanamaru_privacy.register()
        # Groups a coordinator can write to (admin → Messages to volunteers).
        register_audience(
            "class_tutors", pgettext_lazy("staff", "Tutors of a Hanamaru class"), class_choices, class_tutors
        )
        register_audience(
            "session_tutors", pgettext_lazy("staff", "Tutors of a Hanamaru session"), session_choices, session_tutors
        )
        # The admin's assisted intake links to this form (jii/intake.py).
        register_form(pgettext_lazy("staff", "Hanamaru enrolment"), "hanamaru:enroll")
        # Strings only staff, volunteers or donors read: the tutor-shortage message to coordinators (jii/catalogs.py).
        register_not_for_residents(r"tutor_shortage")
