from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from jii import certificates, confirm, health, hours, line, line_events, privacy, readiness, services
from jii.forms import CertificateForm, ResidentLanguageForm, StatusLinkAgainForm, VolunteerProfileForm
from jii.models import Certificate, ConfidentialityPledge, LineLink, LineLinkCode, PrivacyNotice, VolunteerProfile
from jii.sections import render_sections
from jii.shortcuts import resident_or_404
from jii.status_links import resident_from_form


def home(request):
    context = {"program_cards": render_sections("programs", request), "sections": render_sections("home", request)}
    return render(request, "jii/home.html", context)


def privacy_page(request):
    context = {"notice": PrivacyNotice.objects.current(), "purposes": privacy.PURPOSES, "kinds": privacy.table()}
    return render(request, "jii/privacy.html", context)


@require_GET
@never_cache
def healthz(request):
    checks = health.run_checks()
    body = {name: "ok" if ok else "error" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


@never_cache
@require_safe  # GET, and HEAD for link previews
def status(request, token):
    resident = resident_or_404(token)
    return status_page(request, resident, token, ResidentLanguageForm(initial={"language": resident.language}))


@require_POST
def status_language(request):
    """The language form of the status page (its token in the form, not the path)."""
    resident, token = resident_from_form(request)
    language_form = ResidentLanguageForm(request.POST)
    if not language_form.is_valid():
        return status_page(request, resident, token, language_form)
    language = language_form.cleaned_data["language"]
    services.set_resident_language(resident=resident, language=language)
    with translation.override(language):
        return redirect(reverse("status", args=[token]), permanent=False)


def status_page(request, resident, token, language_form):
    context = {
        "resident": resident,
        "erasure": resident.data_requests.filter(done_at=None).first(),
        "token": token,
        "sections": render_sections("status", request, resident),
        "language_form": language_form,
        "line": line_panel(reverse("status_line"), resident=resident),
    }
    response = render(request, "jii/status.html", context)
    # The token is a credential: the site-wide Referrer-Policy (same-origin) keeps it from other sites, and
    # search engines are asked not to index it. (Not "no-referrer": browsers then send "Origin: null" and the
    # page's own forms fail the CSRF check.)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def status_data(request):
    """A copy of everything JII holds about the resident: a page to read, print or save as PDF, or a JSON file."""
    resident, token = resident_from_form(request)
    return your_data(request, services.export_resident(resident), back_url=reverse("status", args=[token]))


@require_POST
def status_erase(request):
    resident, token = resident_from_form(request)
    if not confirm.confirmed(request):
        return confirm.ask(request, back_url=reverse("status", args=[token]), **erasure_question())
    services.ask_for_erasure(resident=resident)
    messages.success(request, _("We have your request. We will erase your information within 14 days and tell you."))
    return redirect("status", token=token)


def erasure_question() -> dict:
    return {
        "question": _("Erase everything JII holds about you?"),
        "consequence": _(
            "What is still under way ends (a volunteer or your coordinator is told), and we erase your name, contact "
            "details, your own words and your children's details. This cannot be undone."
        ),
        "button": _("Yes, erase my information"),
    }


def your_data(request, data: dict, *, back_url: str):
    if request.POST.get("format", request.GET.get("format")) == "json":
        response: HttpResponse = JsonResponse(
            {
                "person": {name: value for name, _label, value in data["person"]["rows"]},
                "programs": [
                    {"program": program["title"], "records": [
                        {"record": entry["title"], **{name: value for name, _label, value in entry["rows"]}}
                        for entry in program["sections"]
                    ]}
                    for program in data["programs"]
                ],
            },
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )  # fmt: skip
        response["Content-Disposition"] = 'attachment; filename="jii-my-information.json"'
    else:
        response = render(request, "jii/your_data.html", {**data, "back_url": back_url, "now": timezone.now()})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def status_link_again(request):
    """The "send me my link again" page. The answer is the same whether or not the address is known, and a few sends an
    hour per address and per network at most (settings.ACCOUNT_RATE_LIMITS["status_link"])."""
    form = StatusLinkAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["contact"]
        if ratelimit.consume(request, action="status_link", key=contact):
            resident = services.resident_by_contact(contact)
            if resident is not None:
                services.send_status_link(resident)
        return redirect("status_link_sent")
    return render(request, "jii/status_link_again.html", {"form": form})


def status_link_sent(request):
    return render(request, "jii/status_link_sent.html")


def volunteer_profile_of(user):
    profiles = VolunteerProfile.objects.select_related("area").prefetch_related("languages__language")
    return profiles.filter(user=user).first()


@login_required
def volunteer_dashboard(request):
    profile = volunteer_profile_of(request.user)
    if profile is None:
        return redirect("volunteer_profile")
    closing = request.user.data_requests.filter(done_at=None).first()
    pledge = ConfidentialityPledge.objects.current()
    new_pledge = pledge if pledge and profile.pledge_id != pledge.pk else None
    # Program sections (pairs, requests, sessions) only for approved volunteers: nobody else sees residents.
    sections = render_sections("volunteer", request, profile) if profile.is_approved else []
    panel = line_panel(reverse("volunteer_line"), user=request.user)
    context = {"profile": profile, "sections": sections, "line": panel, "closing": closing, "new_pledge": new_pledge}
    # The pledge, when it is asked for above, is not listed again.
    context["not_ready"] = readiness.told_to_volunteer(profile, leave_out={"pledge"} if new_pledge else set())
    # Their hours for everyone who has volunteered: a suspended or archived volunteer still comes for them.
    if profile.status != VolunteerProfile.Status.PENDING:
        context["hours"] = hours.recent_hours(profile.pk)
    return render(request, "jii/volunteer_dashboard.html", context)


@login_required
@require_POST
def volunteer_pause(request):
    """The volunteer pauses (no alerts, not offered) or resumes their volunteering themselves."""
    profile = volunteer_profile_of(request.user)
    if profile is None:
        return redirect("volunteer_profile")
    if request.POST.get("pause"):
        services.pause_volunteering(profile=profile)
        paused = pgettext("volunteer", "Your volunteering is paused. Nothing new is offered to you until you resume.")
        messages.success(request, paused)
    else:
        services.resume_volunteering(profile=profile)
        messages.success(request, pgettext("volunteer", "Welcome back: your volunteering is resumed."))
    return redirect("volunteer_dashboard")


@login_required
def volunteer_certificate(request):
    """The volunteer chooses a period and a language; the certificate is issued and downloaded."""
    profile = volunteer_profile_of(request.user)
    if profile is None:
        return redirect("volunteer_profile")
    form = CertificateForm(request.POST or None, language=request.user.language)
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        try:
            certificate = services.issue_certificate(
                volunteer=profile, start=start, end=end, language=form.cleaned_data["language"]
            )
        except certificates.NothingToCertify:
            form.add_error(
                "start", pgettext("volunteer", "You have no hours recorded in this period. Choose another period.")
            )
        else:
            return redirect("volunteer_certificate_file", number=certificate.number)
    issued = profile.certificates.all()
    return render(request, "jii/volunteer_certificate.html", {"form": form, "issued": issued})


@login_required
@require_safe
def volunteer_certificate_file(request, number):
    """A certificate of the volunteer's own, as a PDF (anyone else's: not found)."""
    certificate = (
        Certificate.objects.select_related("volunteer__user")
        .filter(number=number, volunteer__user=request.user)
        .first()
    )
    if certificate is None:
        raise Http404
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def volunteer_profile(request):
    profile = volunteer_profile_of(request.user)
    form = VolunteerProfileForm(request.POST if request.method == "POST" else None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_volunteer_profile(
            user=request.user,
            name=form.cleaned_data["name"],
            given_name_latin=form.cleaned_data["given_name_latin"],
            languages=form.cleaned_data["languages"],
            pledge=form.agreed_pledge(),
            **form.profile_fields(),
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("volunteer_dashboard")
    return render(request, "jii/volunteer_profile.html", {"form": form, "profile": profile})


@login_required
@require_POST
def volunteer_pledge(request):
    """The volunteer agrees to the confidentiality pledge's version they were shown (a newer one asks again)."""
    profile = volunteer_profile_of(request.user)
    pledge = ConfidentialityPledge.objects.current()
    if profile is not None and pledge is not None and request.POST.get("version") == str(pledge.version):
        services.agree_to_pledge(profile=profile, pledge=pledge)
        messages.success(request, _("Thank you: you have agreed to the pledge."))
    elif pledge is not None:  # an older page: the pledge changed since it was shown
        messages.error(request, _("The pledge has just been updated. Please read it again below and agree."))
    return redirect("volunteer_dashboard")


@login_required
def volunteer_data(request):
    return your_data(request, services.export_volunteer(request.user), back_url=reverse("volunteer_dashboard"))


@login_required
@require_POST
def volunteer_close(request):
    """A volunteer asks to close their account and have their data erased (a coordinator hands over what they
    still have under way first)."""
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            back_url=reverse("volunteer_dashboard"),
            question=_("Close your account and erase your information?"),
            consequence=_(
                "A coordinator will hand over what you still have under way, then close your account and erase your "
                "name, contact details and profile within 14 days. You can sign in until then."
            ),
            button=_("Yes, close my account"),
        )
    services.ask_for_erasure(user=request.user)
    messages.success(request, _("We have your request. We will close your account within 14 days and tell you."))
    return redirect("volunteer_dashboard")


def line_panel(action: str, *, resident=None, user=None) -> dict | None:
    """What the LINE panel shows the person: linked, a code waiting to be sent, or the button (None: no LINE)."""
    if not line.configured():
        return None
    owner = {"resident": resident} if resident is not None else {"user": user}
    code = LineLinkCode.objects.filter(expires_at__gt=timezone.now(), **owner).first()
    return {
        "action": action,
        "linked": LineLink.objects.filter(**owner).exists(),
        "code": code,
        "add_friend_url": line.add_friend_url(),
        "send_code_url": line.send_code_url(code.code) if code else "",
        "minutes": settings.LINE_LINK_CODE_MINUTES,
    }


@require_POST
def status_line(request):
    """The resident starts (a new code) or stops LINE messages from their status page."""
    resident, token = resident_from_form(request)
    if not line.configured():
        raise Http404
    if request.POST.get("stop"):
        services.stop_line(resident=resident)
    else:
        services.start_line_link(resident=resident)
    return redirect(reverse("status", args=[token]) + "#line")


@login_required
@require_POST
def volunteer_line(request):
    if not line.configured():
        raise Http404
    if request.POST.get("stop"):
        services.stop_line(user=request.user)
    else:
        services.start_line_link(user=request.user)
    return redirect(reverse("volunteer_dashboard") + "#line")


@csrf_exempt
@require_POST
def line_webhook(request):
    """LINE posts what people send JII's account. The signature (HMAC-SHA256 of the raw body with the channel
    secret) is checked first: a bad one gets 400 and nothing is written. Malformed events are acknowledged."""
    if not line.configured():
        raise Http404
    parser = WebhookParser(settings.LINE_CHANNEL_SECRET)
    try:
        events = parser.parse(
            request.body.decode("utf-8", errors="replace"), request.headers.get("X-Line-Signature", "")
        )
    except InvalidSignatureError:
        return HttpResponseBadRequest()
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponse()  # signed by LINE but not understood: acknowledged, so LINE does not send it again
    for event in events:
        line_events.handle(event)
    return HttpResponse()
