"""Consultations on the resident's status page (see jii/sections.py): the state of each case and its
appointments. The resident's own words are not repeated here."""

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Appointment, Consultation


def status_context(request, resident):
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED, ends_at__gt=timezone.now())
    consultations = list(
        Consultation.objects.filter(resident=resident)
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=booked.select_related("expert", "room").order_by("starts_at"),
                to_attr="upcoming",
            )
        )
        .annotate(changes_made=Count("appointments__changes"))
        .order_by("-created_at")
    )
    if not consultations:
        return None
    for consultation in consultations:
        for appointment in consultation.upcoming:
            appointment.resident_may_change_it = appointment.resident_may_change(consultation.changes_made)
    return {"consultations": consultations, "token": request.resolver_match.kwargs["token"]}


def public_figures():
    """For the campaign page: consultations taken on this year."""
    this_year = timezone.localdate().replace(month=1, day=1)
    taken = Consultation.objects.filter(
        created_at__date__gte=this_year, status__in=[Consultation.Status.ACCEPTED, Consultation.Status.CLOSED]
    ).count()
    return [(_("Kurashi consultations taken on this year"), taken)]
