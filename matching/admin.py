"""The OFP desk: applications with ranked candidates, pairs to follow, intake rounds, and the figures."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from jii.admin import DaysAgoFilter, ReadOnlyInline, add_resident_inline
from jii.admin_pages import PagesAdmin
from jii.choices import Interest
from jii.forms import PeriodForm
from jii.models import VolunteerProfile
from jii.translated import in_every_language
from matching import figures, services
from matching.explain import Names, describe_breakdown, describe_reasons, far_away_note, labels
from matching.forms import ClosePairForm, ExtensionDecisionForm
from matching.models import (
    Application,
    CheckIn,
    Extension,
    Hope,
    IntakeRound,
    Match,
    ResidentCheckIn,
    Survey,
    TimeBand,
)
from matching.ranking import rank_candidates


class WaitingFilter(DaysAgoFilter):
    title = _("waiting time")
    parameter_name = "waiting"
    bands = {
        "2w": (_("under two weeks"), 0, 14),
        "1m": (_("two weeks to a month"), 14, 30),
        "3m": (_("one to three months"), 30, 90),
        "more": (_("over three months"), 90, None),
    }

    def narrow(self, queryset):
        return queryset.waiting()


class ApplicationInline(ReadOnlyInline):
    """The resident's OFP applications on their resident page."""

    model = Application
    fields = ["stage", "household_type", "area", "created_at"]
    show_change_link = True


add_resident_inline(ApplicationInline)


@admin.register(Application)
class ApplicationAdmin(PagesAdmin):
    list_display = ["__str__", "resident", "stage", "household_type", "area", "waiting_days", "created_at"]
    list_filter = ["stage", "area__prefecture", "household_type", "languages", WaitingFilter]
    search_fields = ["resident__name", "resident__email", "nearest_station", *in_every_language("area__name")]
    list_select_related = ["resident", "area"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "resident",
        "stage",
        "children",
        "free_times",
        "hoped_for",
        "interest_list",
        "spoken",
        "consented_at",
        "created_at",
    ]
    fields = [
        ("resident", "stage"),
        ("household_type", "adults", "children"),
        ("japanese_level", "spoken"),
        ("area", "nearest_station"),
        "free_times",
        ("hoped_for", "interest_list"),
        "gender_preference",
        "message",
        ("consented_at", "created_at"),
    ]

    @admin.display(description=_("children's ages"))
    def children(self, application):
        return ", ".join(str(age) for age in application.children_ages) or "—"

    @admin.display(description=_("languages"))
    def spoken(self, application):
        return ", ".join(str(language) for language in application.languages.all())

    @admin.display(description=_("availability"))
    def free_times(self, application):
        return labels(TimeBand, application.availability)

    @admin.display(description=_("hopes"))
    def hoped_for(self, application):
        return labels(Hope, application.hopes)

    @admin.display(description=_("interests"))
    def interest_list(self, application):
        return labels(Interest, application.interests)

    actions = ["start_matching", "withdraw"]
    change_form_template = "admin/matching/application/change_form.html"
    change_list_template = "admin/matching/application/change_list.html"

    @admin.display(description=_("days waiting"))
    def waiting_days(self, application):
        if application.stage not in (Application.Stage.RECEIVED, Application.Stage.MATCHING):
            return "—"
        return (timezone.now() - application.created_at).days

    @admin.action(description=_("Start matching (the application has been read)"))
    def start_matching(self, request, queryset):
        started = sum(services.start_matching(application=application) for application in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d application is now being matched.", "%(count)d applications are now being matched.", started
            )
            % {"count": started},
        )

    @admin.action(description=_("Withdraw (no longer looking for a partner)"))
    def withdraw(self, request, queryset):
        withdrawn = sum(services.withdraw_application(application=application) for application in queryset)
        self.message_user(
            request,
            ngettext("%(count)d application withdrawn.", "%(count)d applications withdrawn.", withdrawn)
            % {"count": withdrawn},
        )

    pages = (
        ("<int:application_id>/propose/<int:volunteer_id>/", "propose_view", "matching_application_propose"),
        ("figures/", "figures_view", "matching_figures"),
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if application and application.stage in (Application.Stage.RECEIVED, Application.Stage.MATCHING):
            extra_context["candidates"] = candidate_rows(application)
        if application:
            extra_context["proposals"] = application.matches.select_related("volunteer__user").order_by("-proposed_at")
        return super().change_view(request, object_id, form_url, extra_context)

    def propose_view(self, request, application_id, volunteer_id):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=application_id)
        volunteer = get_object_or_404(VolunteerProfile, pk=volunteer_id)
        try:
            services.propose_match(application=application, volunteer=volunteer, proposed_by=request.user)
        except services.MatchingError as error:
            reasons = describe_reasons(error.reasons) if error.reasons else str(error)
            self.message_user(request, _("Not proposed: %(reasons)s") % {"reasons": reasons}, messages.ERROR)
        else:
            self.message_user(request, _("Proposed. Both sides have been emailed."), messages.SUCCESS)
        return redirect("admin:matching_application_change", application_id)

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        start, end = form.period()
        return self.render_page(
            request,
            "admin/matching/figures.html",
            _("OFP figures"),
            form=form,
            figures=figures.program_figures(start, end),
        )


def candidate_rows(application):
    """The ranked candidates and the excluded nearby volunteers, ready to show (a fixed number of queries)."""
    ranking = rank_candidates(application)
    ids = [c.volunteer_id for c in ranking.candidates] + [e.volunteer_id for e in ranking.excluded]
    volunteers = VolunteerProfile.objects.select_related("user", "area").in_bulk(ids)
    names = Names()
    return {
        "ranked": [
            {"volunteer": volunteers[c.volunteer_id], "score": c.score, "lines": describe_breakdown(c.breakdown, names)}
            for c in ranking.candidates
        ],
        "excluded": [
            {"volunteer": volunteers[e.volunteer_id], "reasons": describe_reasons(e.reasons)} for e in ranking.excluded
        ],
        "far_away": far_away_note(ranking.far_away) if ranking.far_away else "",
    }


class CheckInInline(ReadOnlyInline):
    model = CheckIn
    fields = ["month", "met", "how", "mood", "note", "concern", "created_at"]


class SurveyInline(ReadOnlyInline):
    model = Survey
    fields = ["kind", "respondent", "satisfaction", "comment", "submitted_at"]


class ResidentCheckInInline(ReadOnlyInline):
    model = ResidentCheckIn
    fields = ["month", "feeling", "need", "created_at"]


class ExtensionInline(ReadOnlyInline):
    model = Extension
    fields = ["asked_by", "asked_at", "status", "new_ends_on", "decided_by", "decided_at"]
    show_change_link = True


@admin.register(Match)
class MatchAdmin(PagesAdmin):
    list_display = ["__str__", "application", "volunteer", "status", "score", "starts_on", "ends_on", "needs_attention"]
    list_filter = [
        "status",
        "needs_attention",
        "application__area__prefecture",
        "end_reason",
        ("lead", admin.EmptyFieldListFilter),
    ]
    search_fields = ["application__resident__name", "volunteer__user__name", "volunteer__user__email"]
    list_select_related = ["application__resident", "volunteer__user"]
    readonly_fields = [
        "application",
        "volunteer",
        "lead",
        "rematch_of",
        "status",
        "score",
        "breakdown_lines",
        "proposed_at",
        "proposed_by",
        "resident_accepted_at",
        "volunteer_accepted_at",
        "declined_by",
        "decline_reason",
        "starts_on",
        "ends_on",
        "closed_at",
        "end_reason",
        "end_note",
        "needs_attention",
    ]
    exclude = ["breakdown"]
    inlines = [CheckInInline, ResidentCheckInInline, SurveyInline, ExtensionInline]
    actions = ["close_completed", "concern_handled", "cancel_proposals"]
    change_form_template = "admin/matching/match/change_form.html"

    @admin.display(description=_("score breakdown"))
    def breakdown_lines(self, match):
        return "\n".join(describe_breakdown(match.breakdown))

    @admin.action(description=_("Close selected pairs as completed (six months)"))
    def close_completed(self, request, queryset):
        closed = 0
        for match in queryset.filter(status=Match.Status.ACTIVE):
            try:
                services.close_pair(match=match, reason=Match.EndReason.COMPLETED)
            except services.MatchingError:
                continue  # closed by someone else meanwhile
            closed += 1
        self.message_user(
            request, ngettext("%(count)d pair closed.", "%(count)d pairs closed.", closed) % {"count": closed}
        )

    @admin.action(description=_("Mark concerns as handled"))
    def concern_handled(self, request, queryset):
        for match in queryset.filter(needs_attention=True):
            services.mark_concern_handled(match=match)

    @admin.action(description=_("Cancel selected proposals (the applications wait again)"))
    def cancel_proposals(self, request, queryset):
        for match in queryset.filter(status=Match.Status.PROPOSED):
            try:
                services.cancel_proposal(match=match, reason=_("cancelled by a coordinator"))
            except services.MatchingError:
                continue  # answered meanwhile

    pages = (
        ("<int:match_id>/close/", "close_view", "matching_match_close"),
        ("<int:match_id>/supporters/<int:volunteer_id>/", "propose_supporter_view", "matching_match_propose_supporter"),
        ("<int:match_id>/rematch/<int:volunteer_id>/", "propose_rematch_view", "matching_match_propose_rematch"),
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        match = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if match:
            lead = match.lead or match
            extra_context["team"] = [lead, *lead.supporters.select_related("volunteer__user").order_by("proposed_at")]
            open_supporters = sum(1 for member in extra_context["team"][1:] if member.is_open)
            if lead.is_open and open_supporters < settings.OFP_TEAM_SUPPORTERS:
                extra_context["candidates"] = candidate_rows(lead.application)
                extra_context["candidate_action"] = "supporter"
            elif not services.rematch_refusal(match, match.application):
                extra_context["candidates"] = candidate_rows(match.application)
                extra_context["candidate_action"] = "rematch"
        return super().change_view(request, object_id, form_url, extra_context)

    def propose_supporter_view(self, request, match_id, volunteer_id):
        return self.propose(request, match_id, volunteer_id, services.propose_supporter, "lead")

    def propose_rematch_view(self, request, match_id, volunteer_id):
        return self.propose(request, match_id, volunteer_id, services.propose_rematch, "ended")

    def propose(self, request, match_id, volunteer_id, service, argument):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        match = get_object_or_404(Match, pk=match_id)
        volunteer = get_object_or_404(VolunteerProfile, pk=volunteer_id)
        try:
            proposed = service(**{argument: match}, volunteer=volunteer, proposed_by=request.user)
        except services.MatchingError as error:
            reasons = describe_reasons(error.reasons) if error.reasons else str(error)
            self.message_user(request, _("Not proposed: %(reasons)s") % {"reasons": reasons}, messages.ERROR)
            return redirect("admin:matching_match_change", match.pk)
        self.message_user(request, _("Proposed. The volunteer has been emailed."), messages.SUCCESS)
        return redirect("admin:matching_match_change", proposed.pk)

    def close_view(self, request, match_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        match = get_object_or_404(Match, pk=match_id)
        form = ClosePairForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.close_pair(match=match, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
            except services.MatchingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("The pair is closed."), messages.SUCCESS)
            return redirect("admin:matching_match_change", match.pk)
        title = _("Close %(pair)s") % {"pair": match}
        return self.render_page(request, "admin/matching/match/close.html", title, form=form, match=match)


@admin.register(Extension)
class ExtensionAdmin(PagesAdmin):
    """Requests to continue a pair after its six months; the coordinator decides on the request's page."""

    list_display = ["__str__", "match", "asked_by", "asked_at", "status", "new_ends_on"]
    list_filter = ["status", "asked_by"]
    list_select_related = ["match"]
    fields = ["match", "asked_by", "asked_at", "status", "new_ends_on", "decided_by", "decided_at"]
    readonly_fields = fields
    change_form_template = "admin/matching/extension/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    pages = (("<int:extension_id>/decide/", "decide_view", "matching_extension_decide"),)

    def decide_view(self, request, extension_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        extension = get_object_or_404(Extension.objects.select_related("match"), pk=extension_id)
        form = ExtensionDecisionForm(request.POST or None, instance=extension)
        if request.method == "POST" and form.is_valid():
            approved, new_ends_on = form.cleaned_data["decision"] == "approve", form.cleaned_data["new_ends_on"]
            try:
                services.decide_extension(
                    extension=extension, approved=approved, by=request.user, new_ends_on=new_ends_on
                )
            except services.MatchingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, pgettext_lazy("staff", "Decided. Both sides are told."), messages.SUCCESS)
            return redirect("admin:matching_extension_change", extension.pk)
        title = pgettext_lazy("staff", "Decide on %(request)s (the pair now ends on %(date)s)") % {
            "request": extension,
            "date": formats.date_format(extension.match.ends_on),
        }
        return self.render_page(request, "admin/matching/extension/decide.html", title, form=form)


@admin.register(IntakeRound)
class IntakeRoundAdmin(PagesAdmin):
    """Adding a round computes it: the best overall assignment of waiting applicants to free volunteers."""

    list_display = ["__str__", "created_by", "total_score", "suggestion_count"]
    change_form_template = "admin/matching/intakeround/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(n=Count("suggestions"))

    @admin.display(description=_("suggestions"))
    def suggestion_count(self, intake):
        return intake.n

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            intake = services.run_intake_round(by=request.user)
            return redirect("admin:matching_intakeround_change", intake.pk)
        return self.render_page(request, "admin/matching/intakeround/add.html", _("Compute an intake round"))

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("matching.change_roundsuggestion")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        intake = self.get_object(request, object_id)
        if intake is None:
            raise Http404
        if not self.has_view_permission(request, intake):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            chosen = intake.suggestions.all()
            if "propose_selected" in request.POST:
                chosen = chosen.filter(pk__in=[pk for pk in request.POST.getlist("suggestion") if pk.isdecimal()])
            proposed, stale = services.propose_suggestions(suggestions=chosen, by=request.user)
            self.message_user(
                request,
                _("%(proposed)d proposed; %(stale)d no longer possible.") % {"proposed": proposed, "stale": stale},
            )
            return redirect("admin:matching_intakeround_change", intake.pk)
        suggestions = list(
            intake.suggestions.select_related(
                "application__resident", "application__area", "volunteer__user", "volunteer__area"
            )
        )
        names = Names()
        for suggestion in suggestions:
            # Read from the round already loaded: its explanations are one document for all suggestions.
            explanation = intake.explanations.get(str(suggestion.application_id), {})
            suggestion.lines = describe_breakdown(explanation.get("breakdown", []), names)
            suggestion.why = describe_reasons(explanation.get("reasons", []))
        return self.render_page(
            request,
            self.change_form_template,
            str(intake),
            intake=intake,
            suggestions=[s for s in suggestions if s.volunteer_id],
            unmatched=[s for s in suggestions if not s.volunteer_id],
            has_change_permission=self.has_change_permission(request),
        )
