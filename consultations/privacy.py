"""Kurashi consultations' part of JII's privacy notice, retention table and residents' data requests
(jii/privacy.py)."""

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import services
from consultations.forms import CONSENT_TEXT
from consultations.models import Appointment, AppointmentChange, CaseNote, Consultation
from jii import audit
from jii.privacy import RecordKind, register_program, section

FINISHED = [Consultation.Status.CLOSED, Consultation.Status.REDIRECTED]


def finished(cutoff):
    cases = Consultation.objects.filter(status__in=FINISHED, anonymised_at=None)
    return cases.annotate(ended=Coalesce("closed_at", "triaged_at", "created_at")).filter(ended__lt=cutoff)


def anonymise(cases) -> None:
    """Erase the resident's own words, the preferred times, the outcome summary, every case note and the notes
    with the resident's changes of appointments. Kept for
    the figures: topic, languages, urgency, dates, expert, appointments and outcome."""
    ids = list(cases.values_list("pk", flat=True))
    audit.update(CaseNote.objects.filter(consultation__in=ids), text="")
    audit.update(AppointmentChange.objects.filter(appointment__consultation__in=ids), note="")
    audit.update(
        Consultation.objects.filter(pk__in=ids),
        description="",
        preferred_times="",
        outcome_summary="",
        anonymised_at=timezone.now(),
    )


def collect(resident) -> list[dict]:
    sections = []
    cases = resident.consultations.prefetch_related("languages", "appointments__expert", "appointments__room")
    for case in cases:
        sections.append(
            section(
                _("Consultation"),
                case,
                [
                    "created_at",
                    "topic",
                    "description",
                    "languages",
                    "interpreter_needed",
                    "urgency",
                    "preferred_times",
                    "modes",
                    "status",
                    "outcome",
                    "outcome_summary",
                    "follow_up_on",
                    "closed_at",
                    "consented_at",
                ],
            )  # fmt: skip
        )
        for appointment in case.appointments.all():
            entry = section(_("Appointment"), appointment, ["starts_at", "ends_at", "mode", "room", "status"])
            entry["rows"].insert(0, ("expert", str(_("expert")), appointment.expert.name))
            sections.append(entry)
    return sections


def erase(resident) -> None:
    """Cancel the appointments still to come and close the open cases, then erase them all."""
    upcoming = Appointment.objects.filter(
        consultation__resident=resident, status=Appointment.Status.BOOKED, starts_at__gt=timezone.now()
    )
    for appointment in upcoming:
        services.cancel_appointment(appointment=appointment)
    for case in resident.consultations.exclude(status__in=FINISHED):
        # Asking to be erased withdraws a case whose outcome was not recorded yet.
        services.close(consultation=case, outcome=case.outcome or Consultation.Outcome.WITHDRAWN)
    anonymise(resident.consultations.filter(anonymised_at=None))


# The retention table's rows for this program (jii/privacy.py runs them).
RETENTION = [
    RecordKind("consultations.closed", _("A consultation and its notes"), 3, _("after it was closed"), finished,
               anonymise),
]  # fmt: skip


def register() -> None:
    register_program(
        "consultations",
        _("Kurashi consultations"),
        consent=CONSENT_TEXT,
        kinds=RETENTION,
        collect=collect,
        erase=erase,
        holding=lambda: Consultation.objects.filter(anonymised_at=None).values("resident_id"),
    )
