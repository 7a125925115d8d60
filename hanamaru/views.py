from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hanamaru import services
from hanamaru.calendar import TUTOR_CALENDAR_SALT, sessions_calendar
from hanamaru.forms import AbsenceForm, ChildFormSet, ConsentAgainForm, GuardianForm
from hanamaru.models import Class, ConsentText, Enrolment, Session
from hanamaru.selectors import classes_with_places, sessions_needing_tutors
from jii import confirm, intake, limits
from jii.models import VolunteerProfile
from jii.shortcuts import approved_profile, approved_profile_or_403
from jii.status_links import resident_from_form


def classes(request):
    """Upcoming classes with their places left; approved volunteers also see the sessions that need tutors."""
    profile = approved_profile(request.user)
    context = {"classes": list(classes_with_places())}
    if profile:
        context["open_sessions"] = list(sessions_needing_tutors())
        context["my_session_ids"] = set(
            profile.tutor_signups.filter(withdrawn_at__isnull=True).values_list("session_id", flat=True)
        )
    return render(request, "hanamaru/classes.html", context)


def enroll(request):
    post = request.POST if request.method == "POST" else None
    form = GuardianForm(post, initial={"klass": request.GET.get("class")})
    children = ChildFormSet(post, prefix="child")
    assisted = intake.assisted_form(request, form)
    valid = form.is_valid() and children.is_valid() and (assisted is None or assisted.is_valid())
    if post is not None and valid and not limits.refused(request, form):
        try:
            with transaction.atomic():
                enrolments = services.enrol(
                    language=intake.language_for(assisted),
                    children=[child.details() for child in children if child.has_changed()],
                    **form.submission(),
                )
                if assisted and enrolments:
                    guardian = enrolments[0].child.guardian
                    intake.record(assisted=assisted, resident=guardian, program="hanamaru", taken_by=request.user,
                                  consent_text=form.consent_text)  # fmt: skip
                    return intake.done(request, guardian)
        except services.ConsentChanged as error:
            # Show the new text, unticked, with the message on the consent box; everything else stays filled in.
            data = request.POST.copy()
            data.pop("consent", None)
            data["consent_version"] = ConsentText.objects.latest().version
            form = GuardianForm(data)
            form.is_valid()
            form.add_error("consent", str(error))
        except services.HanamaruError as error:
            form.add_error("klass", str(error))
        else:
            placed = sum(enrolment.status == Enrolment.Status.ENROLLED for enrolment in enrolments)
            waiting = len(enrolments) - placed
            if placed:
                messages.success(
                    request,
                    ngettext("%(n)d child has a place.", "%(n)d children have a place.", placed) % {"n": placed},
                )
            if waiting:
                messages.info(
                    request,
                    ngettext(
                        "%(n)d child is on the waiting list: we will email you when a place is free.",
                        "%(n)d children are on the waiting list: we will email you when a place is free.",
                        waiting,
                    )
                    % {"n": waiting},
                )
            return redirect("hanamaru:enroll_done")
    return render(request, "hanamaru/enroll.html", {"form": form, "children": children, "assisted": assisted})


def enroll_done(request):
    return render(request, "hanamaru/enroll_done.html")


def back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def tutor_step(step, done_message, confirm_with=None):
    """A POST by an approved volunteer about one session; back to where they came from with a message. With
    `confirm_with`, a function of the session giving the question, consequence and button, it is asked first."""

    @login_required
    @require_POST
    def view(request, session_id):
        profile = approved_profile_or_403(request.user)
        session = get_object_or_404(Session.objects.select_related("klass"), pk=session_id)
        if confirm_with is not None and not confirm.confirmed(request):
            return confirm.ask(request, back_url=reverse("volunteer_dashboard"), **confirm_with(session))
        try:
            step(session=session, volunteer=profile)
        except services.HanamaruError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, done_message())
        return back(request, "volunteer_dashboard")

    return view


tutor_sign_up = tutor_step(services.sign_up_tutor, lambda: _("Thank you! You are a tutor for this session."))
tutor_withdraw = tutor_step(
    services.withdraw_tutor,
    lambda: _("You are no longer signed up for this session."),
    confirm_with=lambda session: {
        "question": _("Give up your tutoring on %(when)s?")
        % {"when": date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")},
        "consequence": _("The coordinators will look for another tutor for %(class)s.") % {"class": session.klass.name},
        "button": _("Yes, I cannot come"),
    },
)


@require_POST
def guardian_withdraw(request, enrolment_id):
    resident, token = resident_from_form(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("child", "klass"), pk=enrolment_id,
                                  child__guardian=resident)  # fmt: skip
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            question=_("Withdraw %(child)s from %(class)s?") % {"child": enrolment.child.first_name,
                                                                  "class": enrolment.klass.name},
            consequence=_("Their place goes to the next child on the waiting list. To come back later, you would "
                          "enrol again."),
            button=_("Yes, withdraw"),
            back_url=reverse("status", args=[token]),
        )  # fmt: skip
    services.withdraw(enrolment=enrolment)
    messages.success(request, _("Your child is no longer enrolled in this class."))
    return redirect("status", token=token)


def offer_step(step, ask, done_message):
    """A guardian's answer to the offer of a place, asked once more on the confirm page first."""

    @require_POST
    def view(request, enrolment_id):
        resident, token = resident_from_form(request)
        enrolment = get_object_or_404(Enrolment.objects.select_related("child", "klass"), pk=enrolment_id,
                                      child__guardian=resident)  # fmt: skip
        if not confirm.confirmed(request):
            return confirm.ask(request, back_url=reverse("status", args=[token]), **ask(enrolment))
        try:
            step(enrolment=enrolment)
        except services.HanamaruError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done_message())
        return redirect("status", token=token)

    return view


def names(enrolment) -> dict:
    return {"child": enrolment.child.first_name, "class": enrolment.klass.name}


guardian_accept = offer_step(
    services.accept_offer,
    lambda enrolment: {
        "question": _("Take the place for %(child)s in %(class)s?") % names(enrolment),
        "consequence": _("Your child is then enrolled and can come to every session of the class."),
        "button": _("Yes, take the place"),
    },
    lambda: _("Your child has a place in the class now. Welcome!"),
)
guardian_decline = offer_step(
    services.decline_offer,
    lambda enrolment: {
        "question": _("Decline the place for %(child)s in %(class)s?") % names(enrolment),
        "consequence": _(
            "The place goes to the next child on the waiting list, and your child leaves the waiting "
            "list. To come back later, you would enrol again."
        ),  # fmt: skip
        "button": _("Yes, decline the place"),
    },
    lambda: _("You declined the place. Thank you for telling us."),
)


@require_POST
def guardian_absence(request, enrolment_id):
    """A guardian tells the tutors that their child will miss a coming session."""
    resident, token = resident_from_form(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("klass"), pk=enrolment_id,
                                  child__guardian=resident)  # fmt: skip
    form = AbsenceForm(request.POST, klass=enrolment.klass)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("status", token=token)
    try:
        services.report_absence(enrolment=enrolment, **form.cleaned_data)
    except services.HanamaruError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. The tutors know your child will not come to that session."))
    return redirect("status", token=token)


@require_POST
def guardian_consent(request):
    resident, token = resident_from_form(request)
    form = ConsentAgainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please tick the box to agree to the updated text."))
        return redirect("status", token=token)
    try:
        services.renew_consent(guardian=resident, consent_version=form.cleaned_data["consent_version"])
    except services.ConsentChanged as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your consent is saved."))
    return redirect("status", token=token)


def calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def class_calendar(request, class_id):
    klass = get_object_or_404(Class, pk=class_id)
    since = timezone.now() - timedelta(days=30)
    sessions = klass.sessions.filter(starts_at__gte=since).select_related("klass")
    return calendar_response(sessions_calendar(sessions, klass.name), f"hanamaru-{klass.pk}.ics")


def tutor_calendar(request, token):
    """A volunteer's sessions for their calendar app, which fetches it without logging in: the signed token
    is the key (it names the profile by number only)."""
    try:
        profile_id = signing.loads(token, salt=TUTOR_CALENDAR_SALT)
    except signing.BadSignature:
        raise Http404 from None
    profile = VolunteerProfile.objects.approved().filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    sessions = (
        Session.objects.filter(signups__volunteer=profile, signups__withdrawn_at__isnull=True)
        .select_related("klass")
        .distinct()
    )
    return calendar_response(sessions_calendar(sessions, _("My Hanamaru sessions")), "hanamaru-tutor.ics")
