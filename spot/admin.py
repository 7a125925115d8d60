"""The Spot desk: requests by state, category, prefecture and age; direct assignment; the figures."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.admin import DaysAgoFilter, ReadOnlyInline, add_resident_inline
from jii.admin_pages import PagesAdmin
from jii.forms import PeriodForm
from jii.models import VolunteerProfile
from spot import services
from spot.figures import spot_figures
from spot.models import Acceptance, SpotRequest


class AgeFilter(DaysAgoFilter):
    title = pgettext_lazy("how long a request has been open", "age")
    parameter_name = "age"
    bands = {
        "1d": (_("under a day"), 0, 1),
        "2d": (_("one to two days"), 1, 2),
        "1w": (_("two days to a week"), 2, 7),
        "more": (_("over a week"), 7, None),
    }


class SpotRequestInline(ReadOnlyInline):
    model = SpotRequest
    fields = ["topic", "status", "created_at"]
    show_change_link = True


add_resident_inline(SpotRequestInline)


class AcceptanceInline(ReadOnlyInline):
    model = Acceptance
    fields = ["volunteer", "accepted_at", "assigned_by", "released_at", "release_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer__user", "assigned_by")

    def has_add_permission(self, request, obj=None):
        return False


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=VolunteerProfile.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only those who may help today (the readiness checks read today's date and pledge).
        self.fields["volunteer"].queryset = VolunteerProfile.objects.ready().select_related("user")


@admin.register(SpotRequest)
class SpotRequestAdmin(PagesAdmin):
    list_display = ["__str__", "topic", "area", "status", "urgency", "created_at", "time_to_accept", "volunteer"]
    list_filter = ["status", "category", "area__prefecture", AgeFilter, "urgency", "follow_up_needed"]
    search_fields = ["resident__name", "resident__email"]
    list_select_related = ["area", "volunteer__user"]
    date_hierarchy = "created_at"
    inlines = [AcceptanceInline]
    change_form_template = "admin/spot/spotrequest/change_form.html"
    change_list_template = "admin/spot/spotrequest/change_list.html"
    readonly_fields = [
        "resident",
        "status",
        "volunteer",
        "accepted_at",
        "done_at",
        "report",
        "minutes_spent",
        "cancelled_at",
        "feedback",
        "feedback_at",
        "resident_wants_ofp",
        "resident_ofp_consented_at",
        "volunteer_wants_ofp",
        "ofp_requested_at",
        "consented_at",
        "created_at",
    ]
    exclude = ["languages"]

    @admin.display(description=_("time to accept"))
    def time_to_accept(self, spot_request):
        if not spot_request.accepted_at:
            return "—"
        hours = (spot_request.accepted_at - spot_request.created_at).total_seconds() / 3600
        return _("%(hours).1f h") % {"hours": hours}

    pages = (
        ("<int:request_id>/assign/", "assign_view", "spot_spotrequest_assign"),
        ("figures/", "figures_view", "spot_figures"),
    )

    def assign_view(self, request, request_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        spot_request = get_object_or_404(SpotRequest, pk=request_id)
        form = AssignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.accept_request(
                    request=spot_request, volunteer=form.cleaned_data["volunteer"], assigned_by=request.user
                )
            except services.SpotError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Assigned. The resident has been emailed."), messages.SUCCESS)
            return redirect("admin:spot_spotrequest_change", spot_request.pk)
        title = _("Assign a volunteer to %(request)s") % {"request": spot_request}
        return self.render_page(request, "admin/spot/spotrequest/assign.html", title, form=form)

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        start, end = form.period()
        return self.render_page(
            request, "admin/spot/figures.html", _("Spot figures"), form=form, figures=spot_figures(start, end)
        )
