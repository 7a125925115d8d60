from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.groups import CONSULTATION_STAFF, COORDINATORS


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Kurashi consultations")
    # A case's words and notes are for consultation staff (and the case's expert, on their own page);
    # coordinators see that a case exists.
    group_permissions = {
        COORDINATORS: ["consultations.view_consultation"],
        CONSULTATION_STAFF: [
            "consultations.view_consultation",
            "consultations.change_consultation",
            "consultations.view_confidential",
            "consultations.view_casenote",
            "consultations.add_casenote",
            "consultations.view_appointment",
            "consultations.view_expert",
            "consultations.add_expert",
            "consultations.change_expert",
            "consultations.view_speciality",
            "consultations.add_speciality",
            "consultations.change_speciality",
            "consultations.delete_speciality",
            "consultations.view_weeklyhours",
            "consultations.add_weeklyhours",
            "consultations.change_weeklyhours",
            "consultations.delete_weeklyhours",
            "consultations.view_dayoff",
            "consultations.add_dayoff",
            "consultations.change_dayoff",
            "consultations.delete_dayoff",
            "consultations.view_room",
            "consultations.add_room",
            "consultations.change_room",
            "consultations.view_noteread",
        ],
    }

    def ready(self):
        import consultations.messages  # noqa: F401  (registers the consultations' message builders)
        from consultations import privacy as consultations_privacy
        from consultations.models import CaseNote, Consultation
        from consultations.sections import public_figures, status_context
        from jii.audit import register
        from jii.catalogs import register_not_for_residents
        from jii.figures import register_figures
        from jii.intake import register_form
        from jii.sections import always_shown, register_section

        # The change audit (jii/audit.py): a case's words, times given in the resident's words, the outcome
        # summary and the notes are masked.
        register(Consultation, masked=["description", "preferred_times", "outcome_summary"], m2m=["languages"])
        register(CaseNote, masked=["text"])

        register_section("programs", "consultations/_home_card.html", always_shown)
        register_section("status", "consultations/_status.html", status_context)
        register_figures("consultations", public_figures)
        consultations_privacy.register()
        # The admin's assisted intake links to this form (jii/intake.py).
        register_form(pgettext_lazy("staff", "Kurashi consultation"), "consultations:request")
        # Strings only staff, volunteers or donors read: the expert's page (jii/catalogs.py).
        register_not_for_residents(r"expert\.html")
