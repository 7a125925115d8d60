"""Reads of consultations that the desk and the jobs share."""

from django.db.models import Min, Q
from django.utils import timezone

from consultations.models import Appointment, AppointmentChange, Consultation, ConsultationQuerySet


def with_next_appointment(cases: ConsultationQuerySet) -> ConsultationQuerySet:
    """Each case with `next_start`: the start of its next booked appointment still to come, or None."""
    upcoming = Min(
        "appointments__starts_at",
        filter=Q(appointments__status=Appointment.Status.BOOKED, appointments__starts_at__gt=timezone.now()),
    )
    return cases.annotate(next_start=upcoming)


def changes_made(consultation: Consultation) -> int:
    """How many times the resident has changed the case's appointments from their status page."""
    return AppointmentChange.objects.filter(appointment__consultation=consultation).count()
