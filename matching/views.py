from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from jii import intake, limits, readiness
from jii.models import VolunteerProfile
from jii.shortcuts import approved_profile_or_403, resident_or_404
from jii.status_links import resident_from_form
from matching import services
from matching.forms import ApplicationForm, CheckInForm, ResidentCheckInForm, ResponseForm, SurveyForm
from matching.models import Match, Survey
from matching.sections import surveys_due


def apply(request):
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    assisted = intake.assisted_form(request, form)
    if request.method == "POST" and intake.is_valid(form, assisted) and not limits.refused(request, form):
        return intake.submit(
            request, form, assisted, program="ofp", service=services.submit_application, thanks="ofp:apply_done"
        )
    return render(request, "matching/apply.html", {"form": form, "assisted": assisted})


def apply_done(request):
    return render(request, "matching/apply_done.html")


@require_POST
def resident_respond(request, match_id):
    resident, token = resident_from_form(request)
    match = get_object_or_404(Match, pk=match_id, application__resident=resident)
    form = ResponseForm(request.POST, prefix=f"match-{match.pk}")
    if form.is_valid():
        try:
            services.respond_as_resident(
                match=match, resident=resident, accepted=form.accepted, reason=form.cleaned_data["reason"]
            )
        except services.MatchingError:
            messages.error(request, _("This proposal can no longer be answered."))
        else:
            messages.success(request, _("Thank you. We have your answer."))
        return redirect("status", token=token)
    messages.error(request, _("Please choose an answer (and tell us why if you decline)."))
    return redirect("status", token=token)


@require_POST
def resident_check_in(request, match_id):
    """The monthly check-in, sent from the status page; a form with a mistake comes back on a page of its own,
    with the errors next to their fields."""
    resident, token = resident_from_form(request)
    match = get_object_or_404(Match, pk=match_id, application__resident=resident, lead__isnull=True)
    form = ResidentCheckInForm(request.POST, prefix=f"check-in-{match.pk}")
    if not form.is_valid():
        return render(request, "matching/resident_check_in.html", {"form": form, "match": match, "token": token})
    try:
        services.answer_resident_check_in(match=match, resident=resident, **form.cleaned_data)
    except services.MatchingError:
        messages.error(request, _("This month's check-in is already answered or not open. Thank you!"))
    else:
        messages.success(request, _("Thank you. We have your check-in."))
    return redirect("status", token=token)


@require_POST
def resident_extend(request, match_id):
    resident, token = resident_from_form(request)
    match = get_object_or_404(Match, pk=match_id, application__resident=resident, lead__isnull=True)
    try:
        services.ask_for_extension(match=match, by=resident)
    except services.MatchingError:
        messages.error(request, _("Continuing is already asked for, or the pair has ended."))
    else:
        messages.success(request, _("Thank you. A coordinator will tell you soon whether your pair can continue."))
    return redirect("status", token=token)


def resident_survey(request, token, match_id, kind):
    resident = resident_or_404(token)
    match = get_object_or_404(Match, pk=match_id, application__resident=resident)
    return survey(request, match, kind, Match.Side.RESIDENT, reverse("status", kwargs={"token": token}))


def volunteers_match(request, match_id) -> tuple[VolunteerProfile, Match]:
    profile = approved_profile_or_403(request.user)
    return profile, get_object_or_404(Match, pk=match_id, volunteer=profile)


@login_required
@require_POST
def volunteer_respond(request, match_id):
    profile, match = volunteers_match(request, match_id)
    form = ResponseForm(request.POST, prefix=f"match-{match.pk}")
    if not form.is_valid():
        messages.error(request, _("Please choose an answer (and tell us why if you decline)."))
        return redirect("volunteer_dashboard")
    try:
        services.respond_as_volunteer(
            match=match, volunteer=profile, accepted=form.accepted, reason=form.cleaned_data["reason"]
        )
    except services.MatchingError:
        messages.error(request, _("This proposal can no longer be answered."))
    except readiness.NotReady as not_ready:
        messages.error(request, str(not_ready))
    else:
        messages.success(request, _("Thank you. We have your answer."))
    return redirect("volunteer_dashboard")


@login_required
def check_in(request, match_id):
    profile, match = volunteers_match(request, match_id)
    if match.status != Match.Status.ACTIVE:
        messages.error(request, _("This pair has ended; check-ins are closed."))
        return redirect("volunteer_dashboard")
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_check_in(match=match, volunteer=profile, **form.cleaned_data)
        except services.MatchingError:
            messages.error(request, _("This pair has ended; check-ins are closed."))
        else:
            messages.success(request, _("Thank you. Your check-in is saved."))
        return redirect("volunteer_dashboard")
    return render(request, "matching/check_in.html", {"form": form, "match": match})


@login_required
@require_POST
def volunteer_extend(request, match_id):
    profile, match = volunteers_match(request, match_id)
    try:
        services.ask_for_extension(match=match, by=profile)
    except services.MatchingError:
        messages.error(request, pgettext("volunteer", "Continuing is already asked for, or the pair has ended."))
    else:
        messages.success(
            request, pgettext("volunteer", "Thank you. A coordinator will tell you both whether the pair can continue.")
        )
    return redirect("volunteer_dashboard")


@login_required
def volunteer_survey(request, match_id, kind):
    _profile, match = volunteers_match(request, match_id)
    return survey(request, match, kind, Match.Side.VOLUNTEER, reverse("volunteer_dashboard"))


def survey(request, match, kind, respondent, done_url):
    if kind not in surveys_due(match, respondent):  # unknown, not sent yet, or already answered
        raise Http404
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_survey(match=match, respondent=respondent, kind=kind, **form.cleaned_data)
        except services.MatchingError:
            messages.error(request, _("This survey is already answered. Thank you!"))
        else:
            messages.success(request, _("Thank you for your answers."))
        return redirect(done_url)
    return render(request, "matching/survey.html", {"form": form, "kind": Survey.Kind(kind), "back_url": done_url})
