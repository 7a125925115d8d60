"""The Hanamaru desk: classes with their places and waiting lists, terms of sessions in one step, attendance,
the figures. Children's details are for coordinators only."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hanamaru import services
from hanamaru.figures import hanamaru_figures
from hanamaru.forms import AttendanceForm, TermForm
from hanamaru.models import Absence, Child, Class, ConsentText, Enrolment, Session, TutorSignup
from hanamaru.selectors import children_of_session
from jii.admin import CHECKBOXES_FOR_MANY, ReadOnlyInline, RecordAdmin, add_resident_inline
from jii.admin_pages import PagesAdmin
from jii.forms import PeriodForm
from jii.translated import in_every_language


class ChildInline(ReadOnlyInline):
    model = Child
    fields = ["first_name", "family_name", "age", "japanese_level"]
    show_change_link = True


add_resident_inline(ChildInline)


class EnrolmentInline(ReadOnlyInline):
    model = Enrolment
    fields = ["child", "status", "created_at", "offered_until", "enrolled_at", "consent"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status__in=Enrolment.ACTIVE).select_related("child", "consent")


@admin.register(Class)
class ClassAdmin(PagesAdmin):
    list_display = [
        "__str__",
        "level",
        "age_band",
        "where",
        "capacity",
        "enrolled",
        "waiting",
        "tutors_needed",
        "is_open",
    ]
    list_filter = ["is_open", "level", "age_band", "area__prefecture"]
    search_fields = [*in_every_language("name"), *in_every_language("venue")]
    list_select_related = ["area"]
    inlines = [EnrolmentInline]
    change_form_template = "admin/hanamaru/class/change_form.html"

    @admin.display(description=_("venue"))
    def where(self, klass):
        return str(klass.venue)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
                waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
            )
        )

    @admin.display(description=_("enrolled"), ordering="enrolled")
    def enrolled(self, klass):
        return klass.enrolled

    @admin.display(description=_("waiting"), ordering="waiting")
    def waiting(self, klass):
        return klass.waiting

    def save_model(self, request, obj, form, change):
        capacity = form.cleaned_data["capacity"]
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            services.change_capacity(klass=obj, capacity=capacity)  # new places go to the waiting list

    pages = (("<int:class_id>/term/", "term_view", "hanamaru_class_term"),)

    def term_view(self, request, class_id):
        """Weekly sessions for a term in one step."""
        if not request.user.has_perm("hanamaru.add_session"):
            raise PermissionDenied
        klass = get_object_or_404(Class, pk=class_id)
        form = TermForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            created = services.create_term(
                klass=klass,
                first_day=data["first_day"],
                starts=data["starts"],
                ends=data["ends"],
                weeks=data["weeks"],
                skip=data["skip"],
            )
            self.message_user(
                request,
                ngettext("%(n)d session created.", "%(n)d sessions created.", len(created)) % {"n": len(created)},
                messages.SUCCESS,
            )
            return redirect(f"{reverse('admin:hanamaru_session_changelist')}?klass__id__exact={klass.pk}")
        title = _("A term of weekly sessions: %(name)s") % {"name": klass.name}
        return self.render_page(request, "admin/form_page.html", title, form=form, original=klass)


class UpcomingFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=timezone.now())
        if self.value() == "past":
            return queryset.filter(starts_at__lte=timezone.now())
        return queryset


class TutorSignupInline(ReadOnlyInline):
    model = TutorSignup
    fields = ["volunteer", "signed_up_at", "withdrawn_at", "attended"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer__user")


class AbsenceInline(ReadOnlyInline):
    """Children whose guardian said they will not come, with the reason given (for coordinators, not tutors)."""

    model = Absence
    fields = ["child", "reason", "reported_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child")


class SessionForm(forms.ModelForm):
    """Moving a session: the same checks as the service, shown on the form."""

    class Meta:
        model = Session
        fields = ["starts_at", "ends_at"]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and {"starts_at", "ends_at"} & set(self.changed_data):
            try:
                services.check_move(Session.objects.get(pk=self.instance.pk), starts_at, ends_at)
            except services.HanamaruError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


@admin.register(Session)
class SessionAdmin(PagesAdmin):
    """Moving a session is editing its times (everyone affected is told); cancelling is an action."""

    list_display = ["__str__", "starts_at", "status", "tutors", "attendance_taken"]
    list_filter = [UpcomingFilter, "status", "klass"]
    date_hierarchy = "starts_at"
    list_select_related = ["klass"]
    fields = ["klass", "starts_at", "ends_at", "status", "cancel_reason", "attendance_recorded_at", "attendance_note"]
    readonly_fields = ["klass", "status", "cancel_reason", "attendance_recorded_at", "attendance_note"]
    inlines = [TutorSignupInline, AbsenceInline]
    actions = ["cancel_sessions"]
    change_form_template = "admin/hanamaru/session/change_form.html"
    change_list_template = "admin/hanamaru/session/change_list.html"

    def get_queryset(self, request):
        tutors = Count("signups", filter=Q(signups__withdrawn_at__isnull=True))
        return super().get_queryset(request).annotate(tutor_count=tutors)

    def has_add_permission(self, request):
        return False  # sessions come from a class's term, or are moved

    @admin.display(description=_("tutors"))
    def tutors(self, session):
        return f"{session.tutor_count} / {session.klass.tutors_needed}"

    @admin.display(description=_("attendance"), boolean=True)
    def attendance_taken(self, session):
        return session.attendance_recorded_at is not None

    form = SessionForm

    def save_model(self, request, obj, form, change):
        services.move_session(session=obj, starts_at=obj.starts_at, ends_at=obj.ends_at)  # checked by the form

    @admin.action(description=_("Cancel the selected sessions (tutors and guardians are told)"))
    def cancel_sessions(self, request, queryset):
        count = 0
        for session in queryset:
            try:
                count += services.cancel_session(session=session, reason="")
            except services.HanamaruError as error:
                self.message_user(request, f"{session}: {error}", messages.WARNING)
        self.message_user(
            request, ngettext("%(n)d session cancelled.", "%(n)d sessions cancelled.", count) % {"n": count}
        )

    pages = (
        ("<int:session_id>/attendance/", "attendance_view", "hanamaru_session_attendance"),
        ("figures/", "figures_view", "hanamaru_figures"),
    )

    def attendance_view(self, request, session_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        session = get_object_or_404(Session.objects.select_related("klass"), pk=session_id)
        # Children whose guardian reported them absent start unticked.
        initial = {"note": session.attendance_note, "children_present": children_of_session(session).exclude(
            absences__session=session).values_list("pk", flat=True)}  # fmt: skip
        if session.attendance_recorded_at:
            initial["children_present"] = session.attendance.filter(present=True).values_list("child_id", flat=True)
            initial["tutors_present"] = session.signups.filter(attended=True).values_list("volunteer_id", flat=True)
        form = AttendanceForm(request.POST or None, session=session, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_attendance(session=session, by=request.user, **form.cleaned_data)
            except services.HanamaruError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Attendance recorded."), messages.SUCCESS)
            return redirect("admin:hanamaru_session_change", session.pk)
        title = _("Attendance: %(session)s") % {"session": session}
        return self.render_page(request, "admin/form_page.html", title, form=form, original=session)

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        figures = hanamaru_figures(*form.period())
        return self.render_page(
            request, "admin/hanamaru/figures.html", _("Hanamaru figures"), form=form, figures=figures
        )


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["__str__", "age", "japanese_level", "guardian", "created_at"]
    list_filter = ["japanese_level", "enrolments__klass"]
    search_fields = ["first_name", "family_name", "guardian__name"]
    list_select_related = ["guardian"]
    readonly_fields = ["guardian", "created_at"]
    formfield_overrides = CHECKBOXES_FOR_MANY


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Places and the waiting list. Withdrawing a child gives the place to the first child waiting."""

    list_display = ["child", "klass", "status", "created_at", "offered_until", "enrolled_at", "consent_version"]
    list_filter = ["klass", "status"]
    list_select_related = ["child", "klass", "consent"]
    readonly_fields = [
        "child",
        "klass",
        "status",
        "consent",
        "consented_at",
        "created_at",
        "offered_until",
        "enrolled_at",
        "withdrawn_at",
    ]
    actions = ["withdraw"]

    def has_add_permission(self, request):
        return False  # guardians enrol on /hanamaru/enroll/

    @admin.display(description=_("consent version"))
    def consent_version(self, enrolment):
        return enrolment.consent.version

    @admin.action(description=_("Withdraw the selected children (their places go to the waiting list)"))
    def withdraw(self, request, queryset):
        count = 0
        for enrolment in queryset.filter(status__in=Enrolment.ACTIVE):
            services.withdraw(enrolment=enrolment)
            count += 1
        self.message_user(
            request, ngettext("%(n)d child withdrawn.", "%(n)d children withdrawn.", count) % {"n": count}
        )


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """A consent text is never edited: a change is a new version, and guardians are asked to agree again."""

    list_display = ["version", "published_at", "agreed"]

    def get_queryset(self, request):
        current = Q(enrolments_agreed__status__in=Enrolment.ACTIVE)
        return super().get_queryset(request).annotate(agreed_count=Count("enrolments_agreed", filter=current))

    @admin.display(description=_("children's enrolments agreed"))
    def agreed(self, consent):
        return consent.agreed_count

    def get_fields(self, request, obj=None):
        return ["text_in_each_language"] if obj else ["text"]

    def get_readonly_fields(self, request, obj=None):
        return ["text_in_each_language"] if obj else []

    @admin.display(description=_("text"))
    def text_in_each_language(self, consent):
        names = dict(settings.LANGUAGES)
        return format_html_join(
            "",
            "<p><strong>{}</strong><br>{}</p>",
            ((names.get(code, code), text) for code, text in consent.text.items()),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            published = services.publish_consent(text=obj.text)
            obj.pk, obj.version = published.pk, published.version

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TutorSignup)
class TutorSignupAdmin(RecordAdmin):
    list_display = ["volunteer", "session", "signed_up_at", "withdrawn_at", "attended"]
    list_filter = ["session__klass", "attended"]
    list_select_related = ["volunteer__user", "session__klass"]
