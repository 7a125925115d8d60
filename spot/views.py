from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jii import confirm as jii_confirm
from jii import intake, limits, readiness
from jii.models import VolunteerProfile
from jii.shortcuts import approved_profile_or_403
from jii.status_links import resident_from_form
from spot import services
from spot.forms import (
    AgreeDateForm,
    BoardFilterForm,
    DoneForm,
    FeedbackForm,
    OfpWishForm,
    ReleaseForm,
    SpotRequestForm,
)
from spot.models import SpotRequest

BOARD_PAGE_SIZE = 30


def request_help(request):
    form = SpotRequestForm(request.POST if request.method == "POST" else None)
    assisted = intake.assisted_form(request, form)
    if request.method == "POST" and intake.is_valid(form, assisted) and not limits.refused(request, form):
        return intake.submit(
            request, form, assisted, program="spot", service=services.submit_request, thanks="spot:request_done"
        )
    return render(request, "spot/request.html", {"form": form, "assisted": assisted})


def request_done(request):
    return render(request, "spot/request_done.html")


@login_required
def board(request):
    profile = approved_profile_or_403(request.user)
    filters = BoardFilterForm(request.GET or None)
    requests = filters.filter(SpotRequest.objects.on_board()).select_related("area").prefetch_related("languages")
    page = Paginator(requests, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    return render(request, "spot/board.html", context | {"not_ready": readiness.told_to_volunteer(profile)})


@login_required
def board_entry(request, request_id):
    """One request as the board shows it (the link in an alert); a request taken meanwhile says so."""
    profile = approved_profile_or_403(request.user)
    spot_request = get_object_or_404(
        SpotRequest.objects.select_related("area").prefetch_related("languages"), pk=request_id
    )
    if spot_request.volunteer_id == profile.pk:
        return redirect("spot:request_detail", request_id=spot_request.pk)
    context = {"spot_request": spot_request, "not_ready": readiness.told_to_volunteer(profile)}
    return render(request, "spot/board_entry.html", context)


@login_required
@require_POST
def accept(request, request_id):
    profile = approved_profile_or_403(request.user)
    spot_request = get_object_or_404(SpotRequest, pk=request_id)
    try:
        services.accept_request(request=spot_request, volunteer=profile)
    except services.SpotError as refused:
        spot_request.refresh_from_db()
        if spot_request.volunteer_id == profile.pk:  # a second tap on "accept": it is already theirs
            return redirect("spot:request_detail", request_id=spot_request.pk)
        messages.info(request, str(refused))
        return redirect("spot:board")
    messages.success(request, _("Thank you! The request is yours: here is how to reach the resident."))
    return redirect("spot:request_detail", request_id=spot_request.pk)


def volunteers_request(request, request_id) -> tuple[VolunteerProfile, SpotRequest]:
    """Only the volunteer who took a request sees it in full; to anyone else it does not exist."""
    profile = approved_profile_or_403(request.user)
    spot_request = (
        SpotRequest.objects.select_related("resident", "area").filter(pk=request_id, volunteer=profile).first()
    )
    if spot_request is None:
        raise Http404
    return profile, spot_request


@login_required
def detail(request, request_id):
    _profile, spot_request = volunteers_request(request, request_id)
    context = {
        "spot_request": spot_request,
        "release_form": ReleaseForm(),
        "date_form": AgreeDateForm(initial={"day": spot_request.agreed_on}),
        "done_form": DoneForm(),
        "ofp_form": OfpWishForm(),
    }
    return render(request, "spot/detail.html", context)


def volunteer_step(form_class, step, then="spot:request_detail"):
    """A POST from the request page: validate the form, run the service step, report back on the page."""

    @login_required
    @require_POST
    def view(request, request_id):
        profile, spot_request = volunteers_request(request, request_id)
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("spot:request_detail", request_id=spot_request.pk)
        try:
            message = step(spot_request, profile, form.cleaned_data)
        except services.SpotError as error:
            messages.error(request, str(error))
            return redirect("spot:request_detail", request_id=spot_request.pk)
        messages.success(request, message)
        return redirect(then) if then == "spot:board" else redirect(then, request_id=spot_request.pk)

    return view


def do_release(spot_request, profile, data):
    services.release_request(request=spot_request, volunteer=profile, reason=data["reason"])
    return _("The request is back on the board. Thank you for letting us know.")


def do_agree(spot_request, profile, data):
    services.agree_date(request=spot_request, volunteer=profile, day=data["day"])
    return _("Date saved. You will both get a reminder the day before.")


def do_done(spot_request, profile, data):
    services.mark_done(request=spot_request, volunteer=profile, **data)
    return _("Thank you for helping!")


def do_ofp(spot_request, profile, data):
    services.wish_for_ofp(request=spot_request, volunteer=profile)
    return _("Noted. If the resident would like it too, your OFP pair is proposed to you.")


release = volunteer_step(ReleaseForm, do_release, then="spot:board")
agree = volunteer_step(AgreeDateForm, do_agree)
done = volunteer_step(DoneForm, do_done)
volunteer_ofp = volunteer_step(OfpWishForm, do_ofp)


def residents_request(request, request_id):
    resident, token = resident_from_form(request)
    return resident, token, get_object_or_404(SpotRequest, pk=request_id, resident=resident)


def resident_step(form_class, step, success, confirm=None):
    """A POST from the resident's status page; with `confirm`, a function of the request giving the question,
    its consequence and the button, it is asked first (jii.confirm)."""

    @require_POST
    def view(request, request_id):
        resident, token, spot_request = residents_request(request, request_id)
        if confirm is not None and not jii_confirm.confirmed(request):
            return jii_confirm.ask(request, back_url=reverse("status", args=[token]), **confirm(spot_request))
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("status", token=token)
        try:
            step(spot_request, resident, form.cleaned_data if form else {})
        except services.SpotError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success())
        return redirect("status", token=token)

    return view


def cancel_question(spot_request) -> dict:
    if spot_request.status == SpotRequest.Status.ACCEPTED:
        consequence = _("%(name)s has offered to help you. We will tell them that you no longer need help.") % {
            "name": spot_request.volunteer.user.given_name_for_reader()
        }
    else:
        consequence = _("Volunteers will no longer see your request.")
    return {"question": _("Cancel your request?"), "consequence": consequence, "button": _("Yes, cancel my request")}


resident_cancel = resident_step(
    None,
    lambda spot_request, resident, data: services.cancel_request(request=spot_request, resident=resident),
    lambda: _("Your request is cancelled."),
    confirm=cancel_question,
)
resident_feedback = resident_step(
    FeedbackForm,
    lambda spot_request, resident, data: services.give_feedback(
        request=spot_request, resident=resident, feedback=data["feedback"]
    ),
    lambda: _("Thank you for your message!"),
)
resident_ofp = resident_step(
    OfpWishForm,
    lambda spot_request, resident, data: services.wish_for_ofp(request=spot_request, resident=resident),
    lambda: _("Noted. If your volunteer would like it too, we will set up your OFP pair."),
)
