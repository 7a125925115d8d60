import operator
import uuid
from datetime import timedelta
from functools import reduce, wraps

from allauth.account.decorators import secure_admin_login
from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.render import get_field_verbose_name
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext, pgettext, pgettext_lazy

from jii import audiences, hours, intake, outbox, readiness, services
from jii.admin_pages import PagesAdmin
from jii.exports import volunteer_hours_csv
from jii.forms import GroupMessageForm, PeriodForm
from jii.models import (
    Area,
    AssistedIntake,
    Certificate,
    ConfidentialityPledge,
    DataRequest,
    GroupMessage,
    Insurance,
    Language,
    Message,
    Orientation,
    PrivacyNotice,
    Resident,
    UndeliverableAddress,
    User,
    VolunteerLanguage,
    VolunteerProfile,
)
from jii.sections import render_sections
from jii.selectors import group_message_preview, hours_by_volunteer
from jii.status_sheet import status_sheets_pdf
from jii.translated import in_every_language

# Languages (a few dozen) and groups as checkboxes: the two-box filter widget breaks accessibility rules (axe).
CHECKBOXES_FOR_MANY = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

admin.site.site_header = _("JII Otonari — coordinators")
admin.site.site_title = _("JII coordinators")
admin.site.index_title = _("Today's desk")
# Coordinators log in through allauth, so its rate limits guard the admin too.
admin.site.login = secure_admin_login(admin.site.login)


def with_desk(index):
    """Today's desk: what the program apps register for the "desk" page (jii/sections.py), above the apps."""

    @wraps(index)
    def desk(request, extra_context=None):
        return index(request, {"desk": render_sections("desk", request), **(extra_context or {})})

    return desk


admin.site.index = with_desk(admin.site.index)


class ReadOnlyInline(admin.TabularInline):
    """A record shown on another record's page for reading (changed through its own page or services)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class RecordAdmin(admin.ModelAdmin):
    """A log kept by the system (events applied, sign-ups, reads of notes): listed for reading, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DaysAgoFilter(admin.SimpleListFilter):
    """Filter a list by how many days ago `date_field` was: `bands` maps a code to (label, from, to) days."""

    date_field = "created_at"
    bands: dict = {}

    def lookups(self, request, model_admin):
        return [(code, label) for code, (label, _low, _high) in self.bands.items()]

    def narrow(self, queryset):
        """Which rows the filter applies to at all (e.g. only applications still waiting)."""
        return queryset

    def queryset(self, request, queryset):
        if self.value() not in self.bands:
            return queryset
        _label, low, high = self.bands[self.value()]
        now = timezone.now()
        queryset = self.narrow(queryset).filter(**{f"{self.date_field}__lte": now - timedelta(days=low)})
        return queryset.filter(**{f"{self.date_field}__gt": now - timedelta(days=high)}) if high else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    filter_horizontal = []
    formfield_overrides = CHECKBOXES_FOR_MANY
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "name", "given_name_latin"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["name", "given_name_latin", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prefecture", "latitude", "longitude"]
    list_filter = ["prefecture"]
    search_fields = [*in_every_language("name"), "code"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__"]
    search_fields = ["code", *in_every_language("name")]


class MessageInline(ReadOnlyInline):
    """What JII has sent the person, and what could not be sent."""

    model = Message
    fk_name = "resident"
    fields = ["template", "state", "channel", "attempts", "created_at", "sent_at", "last_error"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return outbox.visible_to(request.user, super().get_queryset(request))


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """One person across programs: each program app adds its own inline with `add_resident_inline`."""

    list_display = ["shown_name", "household_type", "prefecture", "municipality", "created_at"]
    list_filter = ["household_type", "prefecture", "languages", "created_at"]
    search_fields = ["name", "email", "phone", "municipality"]
    formfield_overrides = CHECKBOXES_FOR_MANY
    readonly_fields = ["email_delivery", "created_at"]
    date_hierarchy = "created_at"
    inlines = [MessageInline]
    actions = ["print_status_sheets"]
    # Functions of a user giving the residents that user's program may see (a Q), or None: see add_resident_scope.
    scopes = []

    def get_queryset(self, request):
        residents = super().get_queryset(request)
        if request.user.has_perm("jii.view_every_resident"):
            return residents
        allowed = [scope for scope in (scope(request.user) for scope in self.scopes) if scope is not None]
        return residents.filter(reduce(operator.or_, allowed)).distinct() if allowed else residents.none()

    @admin.action(description=_("Print the status link (QR code) for the selected residents"), permissions=["change"])
    def print_status_sheets(self, request, queryset):
        """For residents without email: a page each, in their language, to hand over."""
        pdf = status_sheets_pdf(queryset.order_by("name"))
        return HttpResponse(pdf, content_type="application/pdf", headers={"Content-Disposition": "inline"})

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, resident):
        return str(resident)

    @admin.display(description=pgettext_lazy("staff", "email delivery"))
    def email_delivery(self, resident):
        blocked = UndeliverableAddress.objects.filter(address=resident.email.lower()).first()
        if blocked is None:
            return pgettext_lazy("staff", "no problem reported")
        return pgettext_lazy("staff", "Undeliverable since %(date)s (%(reason)s): we no longer email this address.") % {
            "date": f"{blocked.reported_at:%Y-%m-%d}",
            "reason": blocked.get_reason_display(),
        }


def add_resident_scope(scope):
    """Let a program app show its own staff the residents of its program, e.g. consultation staff those with a
    case: `scope(user)` returns a Q of residents, or None when the user is not that program's staff."""
    ResidentAdmin.scopes = [*ResidentAdmin.scopes, scope]
    return scope


def add_resident_inline(inline_class):
    """Let a program app show its own records (applications, requests, cases) on the resident page."""
    ResidentAdmin.inlines = [*ResidentAdmin.inlines, inline_class]
    return inline_class


class VolunteerLanguageInline(admin.TabularInline):
    model = VolunteerLanguage
    extra = 0


class RecordedInline(admin.TabularInline):
    """Orientation and insurance: what the coordinator recorded, and who (set on save)."""

    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


class OrientationInline(RecordedInline):
    model = Orientation
    fields = ["attended_on", "session", "recorded_by", "recorded_at"]


class InsuranceInline(RecordedInline):
    model = Insurance
    fields = ["year", "recorded_by", "recorded_at"]


class InsuranceFilter(admin.SimpleListFilter):
    """Who is covered: "not insured for the coming year" is the list coordinators work through in March."""

    title = pgettext_lazy("staff", "volunteer insurance")
    parameter_name = "insured"

    def lookups(self, request, model_admin):
        year = readiness.insurance_year(timezone.localdate())
        return [
            ("now", pgettext("staff", "Not insured this year (from April %(year)s)") % {"year": year}),
            ("next", pgettext("staff", "Not insured for April %(year)s") % {"year": year + 1}),
        ]

    def queryset(self, request, queryset):
        year = readiness.insurance_year(timezone.localdate()) + (self.value() == "next")
        if self.value() in ("now", "next"):
            return queryset.filter(pk__in=services.not_covered_for(year).values("pk"))
        return queryset


class StandingForm(forms.Form):
    """Suspend (reason, note, until) or archive (reason, note) a volunteer."""

    reason = forms.ChoiceField(label=pgettext_lazy("staff", "Reason"))
    note = forms.CharField(
        label=pgettext_lazy("staff", "Note for coordinators"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    until = forms.DateField(
        label=pgettext_lazy("staff", "Suspended until"),
        required=False,
        help_text=pgettext_lazy("staff", "Leave empty for no end date. The suspension ends by itself that day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, reasons, with_until, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "---------"), *((r.value, r.label) for r in reasons)]
        if not with_until:
            del self.fields["until"]

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError(pgettext("staff", "The end of a suspension must be a day after today."))
        return until


# The standing actions: (the service, its reasons, asks "until", its page title, its button, what is done).
STANDING_ACTIONS = {
    "suspend": (
        services.suspend_volunteer,
        services.SUSPENSION_REASONS,
        True,
        pgettext_lazy("staff", "Suspend %(volunteer)s"),
        pgettext_lazy("staff", "Suspended. Their open Spot requests are back on the board and they are told."),
    ),
    "archive": (
        services.archive_volunteer,
        services.LEAVING_REASONS,
        False,
        pgettext_lazy("staff", "Archive %(volunteer)s, who has left JII"),
        pgettext_lazy("staff", "Archived. Their open work is handed back and they are told."),
    ),
}


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(PagesAdmin):
    list_display = ["__str__", "status", "area", "nearest_station", "submitted_at", "may_help"]
    list_filter = ["status", InsuranceFilter, "area__prefecture", "gender", "languages__language", "submitted_at"]
    search_fields = ["user__name", "user__email", *in_every_language("area__name"), "nearest_station"]
    list_select_related = ["user", "area", "pledge"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_note",
        "suspended_until",
        "paused_at",
        "submitted_at",
        "pledge",
        "pledged_at",
        "approved_at",
        "approved_by",
    ]
    inlines = [OrientationInline, InsuranceInline, VolunteerLanguageInline]
    actions = ["approve_selected", "insure_this_year", "insure_next_year"]
    change_form_template = "admin/jii/volunteerprofile/change_form.html"

    def get_queryset(self, request):
        return readiness.with_readiness(super().get_queryset(request))

    @admin.display(description=pgettext_lazy("staff", "may help"))
    def may_help(self, profile):
        if not profile.is_approved:
            return "—"
        codes = readiness.missing(profile)
        return readiness.describe(codes) if codes else pgettext("staff", "yes")

    def save_formset(self, request, form, formset, change):
        for record in formset.save(commit=False):
            if getattr(record, "recorded_by_id", False) is None:
                record.recorded_by = request.user
            record.save()
        for record in formset.deleted_objects:
            record.delete()
        formset.save_m2m()

    def hours_view(self, request):
        """Volunteer hours over a period: per program, and per volunteer with the most first (or as CSV)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        start, end = form.period()
        table, rows = hours_by_volunteer(start, end)
        if request.GET.get("format") == "csv":
            return volunteer_hours_csv(table, rows, start, end)
        names = dict(table.programs)
        return self.render_page(
            request,
            "admin/jii/hours.html",
            pgettext("staff", "Volunteer hours"),
            form=form,
            start=start,
            end=end,
            table=table,
            volunteers=[
                (profile, [(names[code], row.by_program[code]) for code in names if code in row.by_program], row.total)
                for profile, row in rows
            ],
            csv_query=urlencode({"start": start, "end": end, "format": "csv"}),
        )

    def has_approve_permission(self, request):
        return request.user.has_perm("jii.approve_volunteer")

    def has_standing_permission(self, request):
        return request.user.has_perm("jii.change_volunteer_standing")

    @admin.action(description=_("Approve selected volunteers (and email them)"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        pledge = ConfidentialityPledge.objects.current()
        not_pledged = [str(profile) for profile in queryset if not services.agreed_current_pledge(profile, pledge)]
        approved = sum(services.approve_volunteer(profile=profile, approved_by=request.user) for profile in queryset)
        self.message_user(
            request,
            ngettext("%(count)d volunteer approved.", "%(count)d volunteers approved.", approved) % {"count": approved},
            messages.SUCCESS,
        )
        if not_pledged:
            refused = pgettext(
                "staff", "Not approved: %(names)s, who have not agreed to the current confidentiality pledge yet."
            )
            self.message_user(request, refused % {"names": ", ".join(not_pledged)}, messages.WARNING)

    def has_insure_permission(self, request):
        return request.user.has_perm("jii.add_insurance")

    @admin.action(
        description=pgettext_lazy("staff", "Record this year's insurance for the selected volunteers"),
        permissions=["insure"],
    )
    def insure_this_year(self, request, queryset):
        self.record_insurance(request, queryset, readiness.insurance_year(timezone.localdate()))

    @admin.action(
        description=pgettext_lazy("staff", "Record next year's insurance (from April) for the selected volunteers"),
        permissions=["insure"],
    )
    def insure_next_year(self, request, queryset):
        self.record_insurance(request, queryset, readiness.insurance_year(timezone.localdate()) + 1)

    def record_insurance(self, request, queryset, year):
        count = services.record_insurance(profiles=queryset, year=year, by=request.user)
        done = pgettext("staff", "Insurance from April %(year)s recorded for %(count)d volunteers.")
        self.message_user(request, done % {"year": year, "count": count}, messages.SUCCESS)

    pages = (
        ("hours/", "hours_view", "jii_volunteer_hours"),
        ("<int:profile_id>/standing/<str:action>/", "standing_view", "jii_volunteerprofile_standing"),
    )

    def standing_view(self, request, profile_id, action):
        """Suspend, archive or reinstate one volunteer: a small form, then the service, in one step."""
        if not self.has_standing_permission(request):
            raise PermissionDenied
        profile = get_object_or_404(VolunteerProfile.objects.select_related("user"), pk=profile_id)
        back = redirect("admin:jii_volunteerprofile_change", profile.pk)
        if action == "reinstate":
            if request.method == "POST":
                self.run_standing(request, services.reinstate_volunteer, profile=profile)
            return back
        if action not in STANDING_ACTIONS:
            raise Http404
        service, reasons, with_until, title, done = STANDING_ACTIONS[action]
        form = StandingForm(request.POST or None, reasons=reasons, with_until=with_until)
        valid = request.method == "POST" and form.is_valid()
        if valid and self.run_standing(request, service, profile=profile, done=done, **form.cleaned_data):
            return back
        return self.render_page(request, "admin/form_page.html", title % {"volunteer": profile}, form=form)

    def run_standing(self, request, service, *, done=None, **arguments) -> bool:
        try:
            service(**arguments)
        except services.StandingError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return False
        self.message_user(request, done or pgettext("staff", "Reinstated. They are told."), messages.SUCCESS)
        return True


@admin.register(Certificate)
class CertificateAdmin(RecordAdmin):
    """Volunteer certificates as issued, for checking a number a school or employer asks about."""

    list_display = ["number", "volunteer", "starts_on", "ends_on", "total", "language", "issued_at"]
    list_select_related = ["volunteer__user"]
    search_fields = ["=number"]
    fields = ["number", "volunteer", "starts_on", "ends_on", "language", "hours_given", "total", "issued_at"]
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("staff", "hours per program"))
    def hours_given(self, certificate):
        names = hours.labels()
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            (
                (names.get(line["program"], line["program"]), hours.format_minutes(line["minutes"]))
                for line in certificate.hours
            ),
        )

    @admin.display(description=pgettext_lazy("staff", "total"))
    def total(self, certificate):
        return hours.format_minutes(certificate.total_minutes)


@admin.register(Message)
class MessageAdmin(RecordAdmin):
    """The outbox, for finding out what happened to a message: what failed, why, and sending it again."""

    list_display = ["template", "recipient", "language", "state", "channel", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "channel", "template", "created_at"]
    list_select_related = ["resident", "user"]
    search_fields = ["resident__name", "user__name", "address", "template"]
    date_hierarchy = "created_at"
    fields = [*list_display, "next_attempt_at", "last_error"]
    readonly_fields = fields
    actions = ["send_again"]

    def get_queryset(self, request):
        return outbox.visible_to(request.user, super().get_queryset(request))

    @admin.display(description=_("to"))
    def recipient(self, message):
        return message.resident or message.user or message.address

    def has_send_again_permission(self, request):
        return request.user.has_perm("jii.send_message_again")

    @admin.action(description=_("Send the selected messages again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    """Reported by the email provider. Delete an entry once the address works again, to write to it again."""

    list_display = ["address", "reason", "reported_at"]
    list_filter = ["reason", "reported_at"]
    search_fields = ["address"]
    readonly_fields = ["address", "reason", "detail", "reported_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AssistedIntake)
class AssistedIntakeAdmin(RecordAdmin):
    """Forms coordinators filled in for residents who phoned or came in. The page links to each program's form
    (jii.intake.register_form)."""

    list_display = ["resident", "program", "agreed", "taken_by", "taken_at", "consent_language"]
    list_filter = ["program", "agreed", "taken_at"]
    search_fields = ["resident__name", "resident__phone", "resident__email"]
    list_select_related = ["resident", "taken_by"]
    fields = list_display + ["consent_text"]
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        links = [(label, reverse(name) + "?assisted=1") for label, name in intake.FORMS]
        return super().changelist_view(request, {**(extra_context or {}), "intake_forms": links})


class AuditedKindFilter(admin.SimpleListFilter):
    """The kinds of record the audit covers, by their names in the staff's language."""

    title = pgettext_lazy("staff", "kind of record")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        kinds = [(str(types[model].pk), capfirst(model._meta.verbose_name_plural)) for model in types]
        return sorted(kinds, key=lambda kind: str(kind[1]))

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ChangeAuditAdmin(RecordAdmin, LogEntryAdmin):
    """The change audit (jii/audit.py), for privacy officers (auditlog.view_logentry): read only for everyone,
    superusers too, so that nobody can rewrite or remove what happened."""

    list_display = ["when", "record", "action", "changed_fields", "actor_shown"]
    list_filter = ["action", AuditedKindFilter]
    # By record number or the actor's address; masked values are not there to be found.
    search_fields = ["=object_pk", "actor_email"]
    fields = ["when", "actor_shown", "record", "action", "msg"]
    readonly_fields = fields
    fieldsets = None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page's subtitle is the record's kind and number (the entry's own str() names the number only).
        entry = self.get_object(request, unquote(object_id))
        subtitle = {"subtitle": f"{self.record(entry)}: {entry.get_action_display()}"} if entry else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **subtitle})

    @admin.display(description=pgettext_lazy("staff", "when"), ordering="timestamp")
    def when(self, entry):
        return date_format(timezone.localtime(entry.timestamp), "DATETIME_FORMAT")

    @admin.display(description=pgettext_lazy("staff", "record"))
    def record(self, entry):
        model = entry.content_type.model_class()
        kind = capfirst(model._meta.verbose_name) if model else entry.content_type.model
        return f"{kind} #{entry.object_pk}"

    @admin.display(description=pgettext_lazy("staff", "changed fields"))
    def changed_fields(self, entry):
        if entry.action == LogEntry.Action.DELETE:
            return "—"
        return ", ".join(get_field_verbose_name(entry, name) for name in entry.changes_dict)

    @admin.display(description=pgettext_lazy("staff", "by"))
    def actor_shown(self, entry):
        if entry.actor_id:
            return str(entry.actor)
        # A deleted account keeps its address in the entry; no account at all is a task or a public page.
        return entry.actor_email or pgettext_lazy("staff", "the system, or a resident on a public page")


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """A published notice is never edited: a change is a new, dated version, and the old ones stay (each consent
    points at the version it was given under)."""

    list_display = ["version", "published_at"]

    def get_fields(self, request, obj=None):
        return ["version", "published_at", "text_in_each_language"] if obj else ["text", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=pgettext_lazy("staff", "text"))
    def text_in_each_language(self, notice):
        names = dict(settings.LANGUAGES)
        paragraphs = ((names.get(code, code), text) for code, text in notice.text.items())
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", paragraphs)

    def save_model(self, request, obj, form, change):
        if not change:
            published = services.publish_text(type(obj), text=obj.text, published_at=obj.published_at)
            obj.pk, obj.version = published.pk, published.version


@admin.register(ConfidentialityPledge)
class ConfidentialityPledgeAdmin(PrivacyNoticeAdmin):
    """Published like the privacy notice; volunteers are asked to agree to a new version on their page."""


@admin.register(DataRequest)
class DataRequestAdmin(RecordAdmin):
    """The queue of erasure requests, oldest deadline first. Coordinators see it; those with the privacy
    permission carry a request out in one step (jii.services.erase_person)."""

    list_display = ["__str__", "who", "requested_at", "deadline", "done_at", "done_by"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    list_select_related = ["resident", "user", "done_by"]
    fields = ["who", "how_to_tell", "requested_at", "deadline", "done_at", "done_by"]
    readonly_fields = fields
    actions = ["erase_selected"]

    @admin.display(description=pgettext_lazy("staff", "who"))
    def who(self, request):
        if request.resident_id:
            return pgettext("staff", "resident #%(number)s: %(name)s") % {
                "number": request.resident_id,
                "name": request.resident,
            }
        return pgettext("staff", "volunteer: %(name)s") % {"name": request.user}

    @admin.display(description=pgettext_lazy("staff", "how they are told"))
    def how_to_tell(self, request):
        if request.done_at:
            return pgettext("staff", "done")
        person = request.resident or request.user
        if person.email:
            return pgettext("staff", "by email, when it is done")
        return pgettext("staff", "no email: tell them by phone before you erase (%(phone)s)") % {
            "phone": request.resident.phone
        }

    def has_erase_permission(self, request):
        return request.user.has_perm("jii.erase_personal_data")

    @admin.action(
        description=pgettext_lazy("staff", "Erase the selected people now, in every program"), permissions=["erase"]
    )
    def erase_selected(self, request, queryset):
        erased = sum(services.erase_person(request=data_request, by=request.user) for data_request in queryset)
        self.message_user(
            request,
            ngettext("%(count)d person erased.", "%(count)d people erased.", erased) % {"count": erased},
            messages.SUCCESS,
        )


class AudienceFilter(admin.SimpleListFilter):
    """The kinds of group (jii/audiences.py), by their names."""

    title = pgettext_lazy("staff", "kind of group")
    parameter_name = "audience"

    def lookups(self, request, model_admin):
        return [(kind, audience.label) for kind, audience in audiences.AUDIENCES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(audience=self.value()) if self.value() else queryset


@admin.register(GroupMessage)
class GroupMessageAdmin(PagesAdmin, RecordAdmin):
    """The log of messages to groups of volunteers (who sent what to how many, when), and the page that writes
    one: choose the group, write, preview with the number of recipients, send (jii.services.send_group_message)."""

    list_display = ["sent_at", "description", "subject_shown", "recipients", "sent_by"]
    list_filter = [AudienceFilter, "sent_at"]
    list_select_related = ["sent_by"]
    date_hierarchy = "sent_at"
    fields = ["sent_at", "sent_by", "description", "recipients", "words"]
    readonly_fields = fields

    pages = (("send/", "send_view", "jii_groupmessage_send"),)

    @admin.display(description=pgettext_lazy("staff", "subject"))
    def subject_shown(self, sent):
        return sent.subject.get(settings.LANGUAGE_CODE, "")

    @admin.display(description=pgettext_lazy("staff", "message"))
    def words(self, sent):
        names = dict(settings.LANGUAGES)
        versions = ((names.get(code, code), sent.subject.get(code, ""), text) for code, text in sent.body.items())
        return format_html_join("", '<p><strong>{}: {}</strong></p><p class="written-text">{}</p>', versions)

    def send_view(self, request):
        if not request.user.has_perm("jii.message_volunteers"):
            raise PermissionDenied
        if request.method != "POST":
            return self.send_page(request, GroupMessageForm(initial={"token": uuid.uuid4()}))
        form = GroupMessageForm(request.POST)
        if not form.is_valid():
            return self.send_page(request, form)
        kind, value = form.audience()
        subject, body = form.texts("subject"), form.texts("body")
        if "send" not in request.POST:
            preview = group_message_preview(kind, value, subject, body)
            # Back from the log to this preview: its Send would find the message sent, so say so before.
            preview["sent"] = GroupMessage.objects.filter(token=form.cleaned_data["token"]).first()
            return self.send_page(request, form, preview=preview)
        sent, new = services.send_group_message(
            token=form.cleaned_data["token"], audience=kind, value=value, subject=subject, body=body,
            sent_by=request.user,
        )  # fmt: skip
        if new:
            done = npgettext("staff", "Sent to %(count)d volunteer.", "Sent to %(count)d volunteers.", sent.recipients)
            self.message_user(request, done % {"count": sent.recipients}, messages.SUCCESS)
        else:
            again = pgettext("staff", "This message was sent already (%(when)s), and was not sent again.")
            when = date_format(timezone.localtime(sent.sent_at), "DATETIME_FORMAT")
            self.message_user(request, again % {"when": when}, messages.WARNING)
        return redirect("admin:jii_groupmessage_change", sent.pk)

    def send_page(self, request, form, preview=None):
        title = pgettext("staff", "Write to volunteers")
        return self.render_page(request, "admin/jii/groupmessage/send.html", title, form=form, preview=preview)
