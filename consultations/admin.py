"""The consultations desk. Consultation staff triage, book experts and keep confidential notes; everyone else
with access sees only that a case exists (number, topic, state, dates). Every showing of a case's notes is logged."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations import services
from consultations.figures import consultation_figures
from consultations.forms import BookingForm, InterpretedBookingForm, RedirectForm, RescheduleForm
from consultations.models import (
    Appointment,
    CaseNote,
    Consultation,
    DayOff,
    Expert,
    NoteRead,
    Room,
    Speciality,
    WeeklyHours,
)
from consultations.selectors import with_next_appointment
from jii.admin import CHECKBOXES_FOR_MANY, ReadOnlyInline, RecordAdmin, add_resident_inline, add_resident_scope
from jii.admin_pages import PagesAdmin
from jii.forms import PeriodForm

CONFIDENTIAL = "consultations.view_confidential"
# What anyone with access to the desk may see of a case: that it exists. Not when it was made: that minute is the
# minute its resident was registered, which would tell who asked.
PUBLIC_FIELDS = ["topic", "status"]
CASE_FIELDS = [
    "resident", "topic", "description", "languages", "interpreter_needed", "interpreter_language", "urgency",
    "preferred_times", "how",
    "status", "new_time_asked_at",
    "expert", "created_at", "triaged_at", "spot_request_id", "outcome", "outcome_summary", "follow_up_on",
    "closed_at",
]  # fmt: skip
OUTCOME_FIELDS = ["outcome", "outcome_summary", "follow_up_on"]
EDITABLE = ["interpreter_language", *OUTCOME_FIELDS]
PUBLIC_LOOKUPS = {
    f"{field}{suffix}" for field in ("status", "topic", "urgency", "interpreter_needed") for suffix in ("", "__exact")
}


class ConsultationInline(ReadOnlyInline):
    """On a resident's page, for consultation staff only: even that someone asked for a consultation is
    confidential."""

    model = Consultation
    fields = ["topic", "status", "created_at"]
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(CONFIDENTIAL) and super().has_view_permission(request, obj)


add_resident_inline(ConsultationInline)


@add_resident_scope
def residents_with_a_case(user):
    return Q(consultations__isnull=False) if user.has_perm(CONFIDENTIAL) else None


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = ["starts_at", "ends_at", "expert", "interpreter", "mode", "room", "status", "manage"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert", "interpreter", "room")

    @admin.display(description=_("change"))
    def manage(self, appointment):
        from django.utils.html import format_html

        if appointment.status != Appointment.Status.BOOKED:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:consultations_appointment_reschedule", args=[appointment.pk]),
            _("new time"),
            reverse("admin:consultations_appointment_cancel", args=[appointment.pk]),
            _("cancel"),
        )


class CaseNoteInline(admin.TabularInline):
    """Notes are added, never edited; reading them is logged (see ConsultationAdmin.change_view)."""

    model = CaseNote
    fields = ["created_at", "author", "text"]
    readonly_fields = ["created_at", "author"]
    extra = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(CONFIDENTIAL) and request.user.has_perm("consultations.add_casenote")


@admin.register(Consultation)
class ConsultationAdmin(PagesAdmin):
    list_display = ["__str__", "topic", "status", "urgency", "interpreter_needed", "next_appointment"]
    # A resident who asked for another time from the status page waits for staff to book one.
    list_filter = [
        "status", ("new_time_asked_at", admin.EmptyFieldListFilter), "topic", "urgency", "interpreter_needed"
    ]  # fmt: skip
    actions = ["accept_selected", "close_selected"]
    change_form_template = "admin/consultations/consultation/change_form.html"
    change_list_template = "admin/consultations/consultation/change_list.html"

    @staticmethod
    def confidential(request) -> bool:
        return request.user.has_perm(CONFIDENTIAL)

    def get_queryset(self, request):
        return with_next_appointment(super().get_queryset(request))

    @admin.display(description=_("next appointment"), ordering="next_start")
    def next_appointment(self, consultation):
        return consultation.next_start

    @admin.display(description=_("how"))
    def how(self, consultation):
        return consultation.mode_labels()

    def get_list_display(self, request):
        return [*self.list_display, "created_at"] if self.confidential(request) else self.list_display

    def get_list_filter(self, request):
        return [*self.list_filter, "created_at"] if self.confidential(request) else self.list_filter

    def get_fields(self, request, obj=None):
        return CASE_FIELDS if self.confidential(request) else PUBLIC_FIELDS

    def get_readonly_fields(self, request, obj=None):
        fields = self.get_fields(request, obj)
        if self.confidential(request) and self.has_change_permission(request, obj):
            return [field for field in fields if field not in EDITABLE]
        return fields

    def get_inlines(self, request, obj):
        return [AppointmentInline, CaseNoteInline] if obj and self.confidential(request) else []

    def has_add_permission(self, request):
        return False  # residents ask on /consultations/request/

    def lookup_allowed(self, lookup, value, request=None):
        # Without the confidential permission, only the list's own filters and dates: a query such as
        # ?description__icontains=… or ?resident=… would tell which case says what, or who asked.
        if request is not None and not self.confidential(request):
            return lookup in PUBLIC_LOOKUPS
        return super().lookup_allowed(lookup, value, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The page shows the notes whenever it is rendered (a GET, or a form shown again with its errors).
        if response.status_code == 200 and self.confidential(request):
            consultation = self.get_object(request, unquote(object_id))
            if consultation is not None:
                services.log_note_reads(reader=request.user, shown={consultation: consultation.notes.count()})
        return response

    def save_model(self, request, obj, form, change):
        # Staff change only what EDITABLE lists, each through its service (the case locked, the change audited).
        if "interpreter_language" in form.changed_data:
            services.set_interpreter_language(consultation=obj, language=obj.interpreter_language)
        if set(OUTCOME_FIELDS) & set(form.changed_data):
            services.record_outcome(
                consultation=obj,
                outcome=obj.outcome,
                summary=obj.outcome_summary,
                follow_up_on=obj.follow_up_on,
                close=False,
            )

    def save_formset(self, request, form, formset, change):
        for note in formset.save(commit=False):
            services.add_note(consultation=form.instance, author=request.user, text=note.text)

    @admin.action(description=_("Accept the selected consultations"), permissions=["change"])
    def accept_selected(self, request, queryset):
        done = 0
        for consultation in queryset.filter(status=Consultation.Status.NEW):
            services.accept(consultation=consultation)
            done += 1
        self.message_user(request, ngettext("%(n)d accepted.", "%(n)d accepted.", done) % {"n": done})

    @admin.action(description=_("Close the selected consultations (their outcome recorded)"), permissions=["change"])
    def close_selected(self, request, queryset):
        if not self.confidential(request):
            raise PermissionDenied
        done = 0
        for consultation in queryset.exclude(status=Consultation.Status.CLOSED):
            try:
                services.close(consultation=consultation)
            except services.ConsultationError as refused:
                self.message_user(request, str(refused), messages.WARNING)
            else:
                done += 1
        self.message_user(request, ngettext("%(n)d closed.", "%(n)d closed.", done) % {"n": done})

    pages = (
        ("<int:pk>/book/", "book_view", "consultations_consultation_book"),
        ("<int:pk>/spot/", "redirect_view", "consultations_consultation_redirect"),
        ("appointments/<int:pk>/cancel/", "cancel_view", "consultations_appointment_cancel"),
        ("appointments/<int:pk>/move/", "reschedule_view", "consultations_appointment_reschedule"),
        ("figures/", "figures_view", "consultations_figures"),
    )

    def staff_case(self, request, pk) -> Consultation:
        if not (self.confidential(request) and self.has_change_permission(request)):
            raise PermissionDenied
        return get_object_or_404(Consultation, pk=pk)

    def form_page(self, request, title, form, case):
        return self.render_page(request, "admin/form_page.html", title, form=form, original=case)

    def book_view(self, request, pk):
        """Choose an expert for the case (by topic, then language) and book a time in their hours; for a case that
        needs an interpreter, choose one of the times when the expert, an interpreter and a room are all free."""
        case = self.staff_case(request, pk)
        if case.interpreter_needed:
            form = InterpretedBookingForm(request.POST or None, consultation=case)
        else:
            form = BookingForm(request.POST or None, consultation=case)
        if request.method == "POST" and form.is_valid():
            try:
                services.book_appointment(consultation=case, **form.booking())
            except services.ConsultationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("The appointment is booked; both are emailed."), messages.SUCCESS)
                return redirect("admin:consultations_consultation_change", case.pk)
        return self.form_page(request, _("Book an expert for %(case)s") % {"case": case}, form, case)

    def redirect_view(self, request, pk):
        """A problem a volunteer can help with goes to Spot Otonari-san in one step."""
        case = self.staff_case(request, pk)
        form = RedirectForm(request.POST or None, initial={"urgency": case.urgency})
        if request.method == "POST" and form.is_valid():
            try:
                data = {name: value for name, value in form.cleaned_data.items() if name != "resident_agreed"}
                case = services.redirect_to_spot(consultation=case, **data)
            except services.ConsultationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request, _("Passed to Spot as request #%(id)s.") % {"id": case.spot_request_id}, messages.SUCCESS
                )
                return redirect("admin:consultations_consultation_change", case.pk)
        return self.form_page(request, _("Pass %(case)s to Spot Otonari-san") % {"case": case}, form, case)

    def cancel_view(self, request, pk):
        if not (self.confidential(request) and self.has_change_permission(request)):
            raise PermissionDenied
        appointment = get_object_or_404(Appointment, pk=pk)
        case = self.staff_case(request, appointment.consultation_id)
        if request.method == "POST":
            if services.cancel_appointment(appointment=appointment):
                self.message_user(request, _("The appointment is cancelled; both are emailed."), messages.SUCCESS)
            else:
                self.message_user(request, _("This appointment was already cancelled."), messages.INFO)
            return redirect("admin:consultations_consultation_change", case.pk)
        title = _("Cancel the appointment of %(when)s?") % {"when": appointment}
        return self.render_page(request, "admin/consultations/confirm.html", title, original=case)

    def reschedule_view(self, request, pk):
        if not (self.confidential(request) and self.has_change_permission(request)):
            raise PermissionDenied
        appointment = get_object_or_404(Appointment.objects.select_related("expert"), pk=pk)
        case = self.staff_case(request, appointment.consultation_id)
        form = RescheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            starts_at, ends_at = form.times()
            try:
                services.reschedule(appointment=appointment, starts_at=starts_at, ends_at=ends_at)
            except services.ConsultationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("The appointment has a new time; both are emailed."), messages.SUCCESS)
                return redirect("admin:consultations_consultation_change", case.pk)
        return self.form_page(request, _("A new time for %(when)s") % {"when": appointment}, form, case)

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        start, end = form.period()
        figures = consultation_figures(start, end)
        title = _("Consultation figures")
        return self.render_page(request, "admin/consultations/figures.html", title, form=form, figures=figures)


class SpecialityInline(admin.TabularInline):
    model = Speciality
    extra = 1


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 1


class DayOffInline(admin.TabularInline):
    model = DayOff
    extra = 1


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active", "specialities__topic", "languages"]
    search_fields = ["name", "organisation"]
    formfield_overrides = CHECKBOXES_FOR_MANY
    inlines = [SpecialityInline, WeeklyHoursInline, DayOffInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The expert's login, typed as its email: consultation staff may not list every account (a raw-id
        # look-up would open the user list, which they cannot see), and need not.
        if db_field.name == "user":
            kwargs.update(
                to_field_name="email",
                widget=forms.EmailInput,
                help_text=_("The email address the expert signs in with, if they have a JII account."),
                error_messages={"invalid_choice": _("No JII account has this email address.")},
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "address"]


@admin.register(NoteRead)
class NoteReadAdmin(RecordAdmin):
    """Who read which case's notes, and when: for audits. Nobody edits it."""

    list_display = ["consultation", "reader", "read_at", "notes"]
    list_filter = [("reader", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "read_at"
    list_select_related = ["reader", "consultation"]
