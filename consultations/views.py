from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations import services
from consultations.calendar import appointment_ics
from consultations.forms import AnotherTimeForm, ConsultationRequestForm, NoteForm
from consultations.models import Appointment, CaseNote, Consultation, Expert
from jii import confirm, intake, limits
from jii.shortcuts import resident_or_404
from jii.status_links import resident_from_form


def request_consultation(request):
    form = ConsultationRequestForm(request.POST if request.method == "POST" else None)
    assisted = intake.assisted_form(request, form)
    if request.method == "POST" and intake.is_valid(form, assisted) and not limits.refused(request, form):
        return intake.submit(
            request,
            form,
            assisted,
            program="consultations",
            service=services.submit_request,
            thanks="consultations:request_done",
        )
    return render(request, "consultations/request.html", {"form": form, "assisted": assisted})


def request_done(request):
    return render(request, "consultations/request_done.html")


def expert_of(request) -> Expert:
    """The expert behind this login; anyone else has no expert page at all."""
    expert = Expert.objects.filter(user=request.user, is_active=True).first()
    if expert is None:
        raise Http404
    return expert


@login_required
def expert_page(request):
    """An expert's cases: what the resident wrote, the appointments and the notes. Opening it logs a read of
    the notes shown."""
    expert = expert_of(request)
    cases = list(
        Consultation.objects.for_expert(expert)
        .exclude(status=Consultation.Status.CLOSED)
        .prefetch_related(
            "languages",
            Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(expert=expert, status=Appointment.Status.BOOKED).select_related(
                    "room"
                ),
            ),
        )
        .order_by("created_at")
    )
    services.log_note_reads(reader=request.user, shown={case: len(case.notes.all()) for case in cases})
    # An interpreter sees the times they interpret and the case's number, not the case's words or notes.
    interpreting = Appointment.objects.filter(
        interpreter=expert, status=Appointment.Status.BOOKED, starts_at__gte=timezone.now()
    ).select_related("consultation", "expert", "room")
    context = {"expert": expert, "cases": cases, "interpreting": interpreting, "note_form": NoteForm()}
    return render(request, "consultations/expert.html", context)


@login_required
@require_POST
def expert_note(request, consultation_id):
    expert = expert_of(request)
    case = get_object_or_404(Consultation.objects.for_expert(expert), pk=consultation_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(consultation=case, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your note is saved."))
    else:
        messages.error(request, _("Please write the note first."))
    return redirect("consultations:expert")


def calendar_file(request, token, appointment_id):
    """The resident's appointment for their calendar, from the link on their status page."""
    resident = resident_or_404(token)
    appointment = get_object_or_404(
        Appointment.objects.select_related("room"), pk=appointment_id, consultation__resident=resident
    )
    response = HttpResponse(
        appointment_ics(appointment, resident.language), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="consultation.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def residents_appointment(request, appointment_id) -> tuple[Appointment, str]:
    resident, token = resident_from_form(request)
    appointment = get_object_or_404(
        Appointment.objects.select_related("expert"), pk=appointment_id, consultation__resident=resident
    )
    return appointment, token


def when(appointment) -> str:
    return date_format(timezone.localtime(appointment.starts_at), "DATETIME_FORMAT")


@require_POST
def resident_cancel(request, appointment_id):
    """From the status page: cancel the appointment, after a confirmation."""
    appointment, token = residents_appointment(request, appointment_id)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            question=_("Cancel your appointment on %(when)s?") % {"when": when(appointment)},
            consequence=_("The expert is told, and the time goes to someone else."),
            button=_("Yes, cancel the appointment"),
            back_url=reverse("status", args=[token]),
        )
    try:
        services.cancel_by_resident(appointment=appointment)
    except services.ConsultationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("status", token=token)


@require_POST
def resident_another_time(request, appointment_id):
    """From the status page: ask for another time (the appointment is cancelled; staff book a new one)."""
    appointment, token = residents_appointment(request, appointment_id)
    form = AnotherTimeForm(request.POST if confirm.confirmed(request) else None)
    if not confirm.confirmed(request) or not form.is_valid():
        return confirm.ask(
            request,
            question=_("Ask for another time instead of %(when)s?") % {"when": when(appointment)},
            consequence=_("This appointment will be cancelled. JII will contact you with a new time."),
            button=_("Yes, ask for another time"),
            back_url=reverse("status", args=[token]),
            form=form,
        )
    try:
        services.ask_for_another_time(appointment=appointment, note=form.cleaned_data["note"])
    except services.ConsultationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. JII will contact you with a new time."))
    return redirect("status", token=token)
