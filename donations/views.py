import json
import logging
import re
from functools import wraps
from urllib.parse import urlencode

import stripe
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from donations import preview, progress, services, stripe_events
from donations.forms import DonationForm, HistoryLinkForm, ReceiptsWantedForm
from donations.links import HISTORY_SALT, MANAGE_SALT, donation_id_from_token, manage_url
from donations.models import Campaign, Donation, Receipt
from donations.stripe_api import KONBINI_DAYS_TO_PAY, stripe_client, stripe_locale
from jii import limits
from jii.figures import public_figures
from jii.languages import current_language

logger = logging.getLogger(__name__)


def published_campaign(slug) -> Campaign:
    campaign = progress.published_campaign(slug)
    if campaign is None:
        raise Http404
    return campaign


CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def shareable(request) -> bool:
    """An anonymous visitor with no flash messages sees exactly what every such visitor sees (but the CSRF
    token, which is put in per request)."""
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")  # the page echoes its query string in the language links
        and not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.COOKIES.get("messages"))
    )


def campaign_page(request, slug):
    """The page; anonymous visitors get the shared copy this remembers from donations.middleware, earlier."""
    language = current_language()
    campaign = published_campaign(slug)
    rendered_version = progress.version(campaign)
    tiers = list(campaign.tiers.all())
    form = DonationForm(request.POST if request.method == "POST" else None, tiers=tiers)
    state = progress.campaign_state(campaign)
    giving = request.method == "POST" and form.is_valid() and not state["ended"] and not limits.refused(request, form)
    if giving and not settings.STRIPE_SECRET_KEY:
        # The whole form is shown even without Stripe keys (a demo, a new set-up); giving says why not.
        form.add_error(
            None,
            _(
                "Online payments are not set up on this site yet, so this gift cannot be made here. "
                "Please give by bank transfer: the account is below."
            ),
        )
    elif giving:
        donation = services.create_pending_donation(campaign=campaign, **form.donation_details(language))
        base = request.build_absolute_uri("/")[:-1]
        try:
            url = services.start_checkout(
                donation=donation,
                success_url=base + reverse("donations:thanks", args=[campaign.slug]) + f"?method={donation.method}",
                cancel_url=base + reverse("donations:campaign", args=[campaign.slug]),
            )
        except services.CheckoutUnavailable:
            form.add_error(
                None,
                _(
                    "Online payments cannot be reached right now. Please try again in a few minutes, "
                    "or use a bank transfer."
                ),
            )
        else:
            return HttpResponseRedirect(url, status=303)  # 303: the browser follows with GET
    context = {
        "campaign": campaign,
        "tiers": tiers,
        "voices": list(campaign.voices.all()),
        "state": state,
        "messages_of_support": progress.supporter_messages(campaign),
        "figures": public_figures(),
        "form": form,
        "page_version": f"{rendered_version}-{progress.settings_version()}",  # the fragments' cache keys
        "today": timezone.localdate(),
        "cards_enabled": bool(settings.STRIPE_SECRET_KEY),
        "tax_deductible": settings.DONATIONS_TAX_DEDUCTIBLE,
        "tax_route_url": settings.TAX_DEDUCTIBLE_ROUTE_URL,
        "share": share_links(campaign),
    }
    response = render(request, "donations/campaign.html", context)
    # Kept for others only if no money moved while it was rendered (else it may show the old total).
    if shareable(request) and progress.version(campaign) == rendered_version:
        html = CSRF_INPUT.sub(progress.CSRF_SLOT, response.content.decode())
        progress.remember_page(campaign, language, html)
    return response


SHARE_HASHTAG = "小さな理解"


def share_links(campaign) -> dict:
    """The page's own address and plain links to share it on LINE, X and Facebook with JII's hashtag: no
    third-party script on the page, nothing sent to them until a visitor follows a link."""
    url = settings.SITE_URL.rstrip("/") + reverse("donations:campaign", args=[campaign.slug])
    text = f"{campaign.title} #{SHARE_HASHTAG}"
    return {
        "url": url,
        "line": "https://social-plugins.line.me/lineit/share?" + urlencode({"url": url, "text": text}),
        "x": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": str(campaign.title),
                                                           "hashtags": SHARE_HASHTAG}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "image": settings.SITE_URL.rstrip("/") + reverse("donations:campaign_preview", args=[campaign.slug]),
    }  # fmt: skip


def preview_image(request, slug):
    """The preview card of a shared link (og:image): drawn once per language, again whenever money moves."""
    campaign = published_campaign(slug)
    language = current_language()
    png = progress.cached(
        campaign, f"preview:{language}", lambda campaign: preview.render(campaign, progress.campaign_state(campaign))
    )
    response = HttpResponse(png, content_type="image/png")
    patch_cache_control(response, public=True, max_age=progress.CONTENT_SECONDS)
    return response


def thanks(request, slug):
    """Stripe sends the donor here after paying (or after showing a konbini voucher or an account number to transfer
    to): what happens next for their method. Nothing is recorded here: only signed webhooks record money."""
    method = request.GET.get("method")
    context = {
        "campaign": published_campaign(slug),
        "method": method if method in Donation.Method.values else Donation.Method.CARD,
        "konbini_days": KONBINI_DAYS_TO_PAY,
    }
    return render(request, "donations/thanks.html", context)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        # Verified, then read as plain JSON: a signed body of any shape reaches the checks in apply_event.
        stripe.WebhookSignature.verify_header(
            request.body.decode(),
            request.headers.get("Stripe-Signature"),
            settings.STRIPE_WEBHOOK_SECRET,
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
        event = json.loads(request.body)
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("invalid payload or signature")
    try:
        stripe_events.apply_event(event)
    except stripe_events.NotYet:
        return HttpResponse("not yet: deliver again later", status=409)  # Stripe retries any non-2xx
    except stripe_events.UnusableObject as error:
        logger.warning("Stripe event %s ignored: %s", event["id"], error)
        return HttpResponse("ignored")  # sending it again would not make it usable
    except stripe_events.MalformedEvent as error:
        logger.warning("a signed Stripe event was refused: %s", error)
        return HttpResponseBadRequest("malformed event")
    return HttpResponse("ok")


def private_link(view):
    """A page behind a donor's private link: never stored by a browser or a proxy, and once the link has expired,
    a page (in the link's language) to get a new one."""

    @wraps(view)
    @never_cache
    def private(request, token, **kwargs):
        try:
            return view(request, token, **kwargs)
        except signing.SignatureExpired:
            return render(request, "donations/link_expired.html", status=410)

    return private


@private_link
def manage(request, token):
    """A monthly or yearly supporter's link from their emails: open a Stripe customer portal session for them (to
    update their card, change or stop the gift)."""
    donation_id = donation_id_from_token(token, MANAGE_SALT)
    if donation_id is None:
        raise Http404
    try:
        donation = Donation.objects.filter(pk=donation_id).exclude(stripe_customer="").first()
    except ValidationError:  # signed by us, but not a donation id
        raise Http404 from None
    if donation is None:
        raise Http404
    try:
        portal = stripe_client().v1.billing_portal.sessions.create(
            {
                "customer": donation.stripe_customer,
                "return_url": request.build_absolute_uri(reverse("donations:campaign", args=[donation.campaign.slug])),
                "locale": stripe_locale(donation.language),
            }
        )
    except stripe.StripeError:
        return render(request, "donations/manage_unavailable.html", status=503)
    return HttpResponseRedirect(portal.url, status=303)


def donor_email(token: str) -> str:
    """The email of the donor whose private link this is (404 for a forged or unknown link)."""
    donation_id = donation_id_from_token(token, HISTORY_SALT)
    try:
        email = Donation.objects.filter(pk=donation_id).values_list("email", flat=True).first() if donation_id else None
    except ValidationError:  # signed by us, but not a donation id
        email = None
    if not email:
        raise Http404
    return email


@never_cache
def history_link_again(request):
    """A donor gets the link to their gifts and receipts again. The answer is the same whether or not the address
    gave; a few sends an hour per address and per network at most (settings.ACCOUNT_RATE_LIMITS)."""
    form = HistoryLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if ratelimit.consume(request, action="history_link", key=email):
            services.send_history_link(email=email)
        return redirect("donations:history_link_sent")
    return render(request, "donations/history_link_again.html", {"form": form})


def history_link_sent(request):
    return render(request, "donations/history_link_sent.html")


@private_link
def history(request, token):
    email = donor_email(token)
    form = ReceiptsWantedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_receipts_wanted(email=email, choice=form.cleaned_data["receipts_wanted"])
        messages.success(request, _("Thank you. Your choice of receipts is saved."))
        return HttpResponseRedirect(request.path, status=303)
    valid = Receipt.objects.filter(voided_at__isnull=True)
    gifts = list(
        Donation.objects.filter(email__iexact=email)
        .exclude(status__in=Donation.NOT_GIVEN)
        .select_related("campaign")
        .prefetch_related(Prefetch("receipts", queryset=valid.filter(kind=Receipt.Kind.SINGLE).order_by("issued_at")))
        .order_by("-created_at")
    )
    if not gifts:
        raise Http404
    for gift in gifts:
        gift.manage = manage_url(gift) if gift.renews and gift.stripe_customer else ""
    if request.method == "GET":
        form = ReceiptsWantedForm(initial={"receipts_wanted": gifts[0].receipts_wanted})
    annual = valid.filter(kind=Receipt.Kind.ANNUAL, donor_email=email.lower()).order_by("-fiscal_year")
    context = {"gifts": gifts, "annual_receipts": annual, "token": token, "form": form}
    response = render(request, "donations/history.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@private_link
def receipt_file(request, token, number):
    email = donor_email(token)
    receipt = Receipt.objects.filter(number=number, donation__email__iexact=email).first()
    if receipt is None or not receipt.file:
        raise Http404
    return FileResponse(receipt.file.open("rb"), as_attachment=True, filename=f"{receipt.number}.pdf")
