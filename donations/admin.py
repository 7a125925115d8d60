"""The donations desk: campaigns and their figures, gifts and monthly or yearly supporters, bank transfers, message
moderation and the accounting export."""

import base64

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from donations import bank_statements, channels, exports, services
from donations.models import (
    BankStatement,
    Campaign,
    Donation,
    Donor,
    ImpactTier,
    Payment,
    Receipt,
    StatementLine,
    StripeEvent,
    Voice,
)
from donations.progress import forget_campaign
from donations.register import PUBLIC_SUPPORT_MINIMUM_YEN, public_support_count
from donations.sections import past_due_link
from donations.selectors import fiscal_year, payments_without_receipt, receipts_waiting_for_address
from jii.admin import ReadOnlyInline, RecordAdmin
from jii.admin_pages import PagesAdmin
from jii.forms import PeriodForm
from jii.translated import in_every_language


class ImpactTierInline(admin.TabularInline):
    model = ImpactTier
    extra = 0


class VoiceInline(admin.StackedInline):
    model = Voice
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "supporters", "received", "is_published"]
    list_filter = ["is_published"]
    search_fields = [*in_every_language("title"), "slug"]
    inlines = [ImpactTierInline, VoiceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        forget_campaign(form.instance)  # the page shows the edit at once

    def get_queryset(self, request):
        # Both figures for every listed campaign in the list's one query (days compared in Tokyo time).
        in_period = {"__date__gte": OuterRef("starts_on"), "__date__lte": OuterRef("ends_on")}
        new_supporters = (
            Donation.objects.filter(campaign=OuterRef("pk"), frequency__in=Donation.RECURRING)
            .filter(**{f"started_at{lookup}": value for lookup, value in in_period.items()})
            .values("campaign")
            .annotate(n=Count("id"))
            .values("n")
        )
        received = (
            Payment.objects.filter(campaign=OuterRef("pk"))
            .filter(**{f"received_at{lookup}": value for lookup, value in in_period.items()})
            .values("campaign")
            .annotate(total=Sum(F("amount_yen") - F("refunded_yen")))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                new_supporters=Coalesce(Subquery(new_supporters), 0), received_yen=Coalesce(Subquery(received), 0)
            )
        )

    @admin.display(description=_("new monthly and yearly supporters"))
    def supporters(self, campaign):
        return f"{campaign.new_supporters} / {campaign.goal_new_monthly_supporters}"

    @admin.display(description=_("received"))
    def received(self, campaign):
        return f"¥{campaign.received_yen:,} / ¥{campaign.goal_amount_yen:,}"


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["amount_yen", "refunded_yen", "received_at", "stripe_reference", "recorded_by", "statement_line"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by", "statement_line")


class BankTransferForm(forms.Form):
    donation = forms.UUIDField(
        label=_("Existing donation (a monthly supporter's later transfer)"),
        required=False,
        help_text=_("Leave empty for a new donor; the fields below are then used."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all())
    name = forms.CharField(label=_("Donor's name"), max_length=150)
    email = forms.EmailField(label=_("Donor's email"), max_length=254, required=False)
    address = forms.CharField(
        label=_("Address (for a receipt)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Donation.Frequency.choices)
    receipts_wanted = forms.ChoiceField(
        label=_("Receipts"), choices=Donation.ReceiptsWanted.choices, initial=Donation.ReceiptsWanted.EACH
    )
    amount_yen = forms.IntegerField(label=_("Amount (yen)"), min_value=1, max_value=100_000_000)
    received_on = forms.DateField(label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}))


# What a transfer recorded by hand for a new donor makes its gift of.
NEW_GIFT_FIELDS = ["campaign", "frequency", "name", "email", "address", "receipts_wanted"]


MAX_STATEMENT_BYTES = 5_000_000  # years of a small NPO's account


class BankStatementForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_(
            "The zengin (全銀) file of deposits and withdrawals (入出金取引明細), or SBI Net Bank's CSV of "
            "入出金明細, as downloaded. Lines imported before are recognised and not added again."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is too large for a bank statement (at most 5 MB)."))
        try:
            self.statement = bank_statements.parse(upload.read())
        except bank_statements.NotAStatement as error:
            raise forms.ValidationError(str(error)) from error
        return upload


MATCH_WORDS = {
    bank_statements.EXACT: _("same name"),
    bank_statements.PARTIAL: _("part of the name"),
    bank_statements.UNKNOWN: _("no kana to compare"),
}


def candidate_label(candidate) -> str:
    donation = candidate.donation
    kana = f" ({donation.name_kana})" if donation.name_kana else ""
    created = timezone.localtime(donation.created_at).date()
    label = (
        f"{donation.name}{kana} — ¥{donation.amount_yen:,} {donation.get_frequency_display()}, "
        f"{donation.get_status_display()}, {created} — {MATCH_WORDS[candidate.match]}"
    )
    if candidate.recorded_by_hand:
        label += " — " + _("a transfer of this amount was recorded by hand that day")
    return label


class StatementLinesForm(forms.Form):
    """One choice per unmatched line: a proposed gift (a strong one chosen already), later, or ignore."""

    def __init__(self, *args, lines, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines, self.proposals, self.donations = lines, proposals, {}
        preselected = set()
        for line in lines:
            candidates = proposals[line.pk]
            self.donations |= {str(candidate.donation.pk): candidate.donation for candidate in candidates}
            best = candidates[0] if candidates else None
            initial = ""
            if best and best.strong and best.donation.pk not in preselected:
                initial = str(best.donation.pk)
                if best.donation.frequency == Donation.Frequency.ONCE:  # one transfer pays a one-off gift
                    preselected.add(best.donation.pk)
            choices = [(str(candidate.donation.pk), candidate_label(candidate)) for candidate in candidates]
            self.fields[f"line_{line.pk}"] = forms.ChoiceField(
                label=f"{line.date} ¥{line.amount_yen:,} {line.kana}",
                choices=[*choices, ("", _("Decide later")), (services.IGNORE, _("Not a gift: ignore"))],
                initial=initial,
                required=False,
            )

    def rows(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        paid_once = set()
        for line in self.lines:
            donation = self.donations.get(cleaned.get(f"line_{line.pk}"))
            if donation is not None and donation.frequency == Donation.Frequency.ONCE:
                if donation.pk in paid_once:
                    self.add_error(f"line_{line.pk}", _("This one-off gift is already chosen for another line."))
                paid_once.add(donation.pk)
        return cleaned

    def decisions(self) -> dict:
        decisions = {}
        for line in self.lines:
            choice = self.cleaned_data.get(f"line_{line.pk}")
            if choice == services.IGNORE:
                decisions[line] = services.IGNORE
            elif choice:
                decisions[line] = self.donations[choice]
        return decisions


STATEMENT_LINES_SHOWN = 300  # the oldest first; the rest after these are matched


class ChannelImportForm(forms.Form):
    """Upload (with `file`) shows the preview; confirming sends the same file back (as `data`) to import it."""

    MAX_BYTES = 1_000_000

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all())
    channel = forms.ChoiceField(label=_("Channel"), choices=channels.CHANNEL_CHOICES)
    channel_name = forms.CharField(
        label=_("The channel's name"), max_length=60, required=False, help_text=_("Only for another channel.")
    )
    file = forms.FileField(label=_("The channel's CSV export"), required=False)
    data = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == "other" and not cleaned.get("channel_name", "").strip():
            self.add_error("channel_name", _("Please name the channel, e.g. Syncable."))
        upload = cleaned.get("file")
        if upload is not None and upload.size > self.MAX_BYTES:
            self.add_error("file", _("The file is larger than 1 MB: split it."))
        elif upload is None and not cleaned.get("data"):
            self.add_error("file", _("Please choose the CSV file."))
        return cleaned

    def file_bytes(self) -> bytes:
        if self.cleaned_data.get("file") is not None:
            return self.cleaned_data["file"].read()
        try:
            return base64.b64decode(self.cleaned_data["data"], validate=True)
        except ValueError:
            return b""


class ReceiptWaitingFilter(admin.SimpleListFilter):
    """With DONATIONS_TAX_DEDUCTIBLE, a receipt needs the donor's name and address: the gifts whose receipt waits
    for them. Adding the address (on the gift or its donor) and the action "Issue the receipts…" issue it."""

    title = _("receipt")
    parameter_name = "receipt"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting for the donor's address"))]

    def queryset(self, request, queryset):
        if self.value() != "waiting":
            return queryset
        return receipts_waiting_for_address(queryset)


class ExportForm(PeriodForm):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=[("", _("All")), *Donation.Method.choices], required=False)


class RegisterForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)


class PaidBeyondFilter(admin.SimpleListFilter):
    """Bank transfers through Stripe that brought more than the gift: the rest waits in the donor's Stripe balance
    for staff to return (Dashboard → the customer → Cash balance → Return)."""

    title = _("paid beyond the gift")
    parameter_name = "paid_beyond"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: to return"))]

    def queryset(self, request, queryset):
        return queryset.filter(excess_yen__gt=0) if self.value() == "yes" else queryset


@admin.register(Donation)
class DonationAdmin(PagesAdmin):
    list_display = [
        "__str__",
        "campaign",
        "method",
        "frequency",
        "status",
        "public_name_shown",
        "message_status",
        "created_at",
    ]
    list_filter = [
        "campaign",
        "method",
        "frequency",
        "status",
        "receipts_wanted",
        "message_status",
        PaidBeyondFilter,
        ReceiptWaitingFilter,
    ]
    date_hierarchy = "created_at"
    search_fields = ["=id", "name", "name_kana", "email", "phone"]
    list_select_related = ["campaign"]
    readonly_fields = [
        "id",
        "donor",
        "campaign",
        "channel",
        "frequency",
        "method",
        "amount_yen",
        "status",
        "status_at",
        "started_at",
        "ended_at",
        "consented_at",
        "created_at",
        "funded_yen",
        "excess_yen",
        "excess_at",
        "stripe_checkout_session",
        "stripe_customer",
        "stripe_subscription",
    ]
    inlines = [PaymentInline]
    actions = ["approve_messages", "reject_messages", "issue_waiting_receipts"]
    change_list_template = "admin/donations/donation/change_list.html"

    def changelist_view(self, request, extra_context=None):
        # The gifts whose monthly or yearly payment failed, one click away (as on Today's desk).
        past_due = {"past_due": Donation.objects.filter(status=Donation.Status.PAST_DUE).count(),
                    "past_due_url": past_due_link()}  # fmt: skip
        return super().changelist_view(request, {**past_due, **(extra_context or {})})

    @admin.action(description=_("Issue the receipts that waited for the donor's address"), permissions=["change"])
    def issue_waiting_receipts(self, request, queryset):
        count = services.queue_waiting_receipts(queryset)
        self.message_user(request, ngettext("%(n)d receipt queued.", "%(n)d receipts queued.", count) % {"n": count})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.money_moved(obj.campaign_id)  # name or message edits show (or disappear) at once

    @admin.display(description=_("name on the page"))
    def public_name_shown(self, donation):
        return donation.public_name or _("(anonymous)")

    @admin.action(description=_("Show the selected messages on the campaign page"))
    def approve_messages(self, request, queryset):
        count = services.moderate_messages(donations=queryset, approve=True)
        self.message_user(
            request, ngettext("%(n)d message approved.", "%(n)d messages approved.", count) % {"n": count}
        )

    @admin.action(description=_("Do not show the selected messages"))
    def reject_messages(self, request, queryset):
        count = services.moderate_messages(donations=queryset, approve=False)
        self.message_user(request, ngettext("%(n)d message hidden.", "%(n)d messages hidden.", count) % {"n": count})

    def register_view(self, request):
        """The donor register of a fiscal year as CSV, and how many donors gave ¥3,000 or more."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RegisterForm(request.GET or None, initial={"year": fiscal_year(timezone.localdate())})
        if request.GET.get("download") and form.is_valid():
            return exports.register_csv(form.cleaned_data["year"])
        year = form.cleaned_data["year"] if form.is_valid() else fiscal_year(timezone.localdate())
        return self.render_page(
            request,
            "admin/donations/register.html",
            _("Donor register"),
            form=form,
            year=year,
            supporters=public_support_count(year),
            minimum=PUBLIC_SUPPORT_MINIMUM_YEN,
        )

    pages = (
        ("bank-transfer/", "bank_transfer_view", "donations_bank_transfer"),
        ("bank-statement/", "bank_statement_view", "donations_bank_statement"),
        ("bank-statement/lines/", "statement_lines_view", "donations_statement_lines"),
        ("export/", "export_view", "donations_export"),
        ("register/", "register_view", "donations_register"),
        ("channels/", "channel_import_view", "donations_channel_import"),
    )

    def channel_import_view(self, request):
        """Gifts through Give One, Benevity or another channel from its CSV: upload, preview, confirm."""
        if not request.user.has_perm("donations.add_payment"):
            raise PermissionDenied
        form = ChannelImportForm(request.POST or None, request.FILES or None)
        upload = data = None
        if request.method == "POST" and form.is_valid():
            choice = form.cleaned_data
            raw = form.file_bytes()
            upload = channels.read(raw, channel_key=choice["channel"], channel_name=choice["channel_name"])
            if upload.problem:
                form.add_error("file", upload.problem)
                upload = None
            elif "confirm" in request.POST:
                rows = upload.importable
                added, already = services.import_channel_gifts(
                    campaign=choice["campaign"], channel=choice["channel"], rows=rows, recorded_by=request.user
                )
                self.message_user(
                    request,
                    _("%(added)d gifts imported; %(already)d were imported before.")
                    % {"added": added, "already": already + upload.already},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:donations_donation_changelist") + "?method__exact=channel")
            else:
                data = base64.b64encode(raw).decode()
        title = _("Import gifts from another channel (CSV)")
        template = "admin/donations/channel_import.html"
        return self.render_page(request, template, title, form=form, upload=upload, data=data)

    def bank_transfer_view(self, request):
        if not request.user.has_perm("donations.add_payment"):
            raise PermissionDenied
        form = BankTransferForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            payment = services.record_bank_transfer_by_hand(
                donation=Donation.objects.filter(pk=data["donation"]).first() if data["donation"] else None,
                new_gift={name: data[name] for name in NEW_GIFT_FIELDS},
                amount_yen=data["amount_yen"],
                received_on=data["received_on"],
                recorded_by=request.user,
            )
            self.message_user(request, _("The transfer is recorded and counts towards the campaign."), messages.SUCCESS)
            return redirect("admin:donations_donation_change", payment.donation_id)
        return self.render_page(request, "admin/form_page.html", _("Record a bank transfer"), form=form)

    def bank_statement_view(self, request):
        """Upload the bank's statement: its credits are kept once each, then matched on the next page."""
        if not request.user.has_perm("donations.add_payment"):
            raise PermissionDenied
        form = BankStatementForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = services.import_bank_statement(
                statement=form.statement, file_name=form.cleaned_data["file"].name, uploaded_by=request.user
            )
            self.message_user(
                request,
                _("New lines: %(new)d. Already imported: %(known)d.")
                % {"new": upload.lines_new, "known": upload.lines_known},
                messages.SUCCESS,
            )
            return redirect("admin:donations_statement_lines")
        return self.render_page(request, "admin/form_page.html", _("Import a bank statement"), form=form)

    def statement_lines_view(self, request):
        """Every line still to be matched, with the gifts it may pay; staff confirm them all in one step."""
        if not request.user.has_perm("donations.add_payment"):
            raise PermissionDenied
        waiting = StatementLine.objects.filter(state=StatementLine.State.UNMATCHED).order_by("date", "pk")
        lines = list(waiting[:STATEMENT_LINES_SHOWN])
        form = StatementLinesForm(request.POST or None, lines=lines, proposals=bank_statements.propose(lines))
        if request.method == "POST" and form.is_valid():
            paid, ignored = services.confirm_statement_lines(decisions=form.decisions(), confirmed_by=request.user)
            self.message_user(
                request,
                _("Transfers recorded: %(paid)d. Lines ignored: %(ignored)d.") % {"paid": paid, "ignored": ignored},
                messages.SUCCESS,
            )
            return redirect("admin:donations_statement_lines")
        title = _("Match the bank statement's lines")
        return self.render_page(
            request, "admin/donations/statement_lines.html", title, form=form, shown=STATEMENT_LINES_SHOWN
        )

    def export_view(self, request):
        """Payments in a period as CSV for accounting. A donor who did not agree to appear by name is listed
        without name and email."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.GET or None)
        if not request.GET or not form.is_valid():
            title = _("Export donations (CSV)")
            return self.render_page(request, "admin/form_page.html", title, form=form, method="get")
        start, end = form.period()
        campaign = form.cleaned_data["campaign"]
        return exports.payments_csv(
            start, end, campaign_id=campaign.pk if campaign else None, method=form.cleaned_data["method"]
        )


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fields = ["date", "amount_yen", "kana", "reference", "state", "decided_by", "decided_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


@admin.register(BankStatement)
class BankStatementAdmin(RecordAdmin):
    """Every upload, and the lines it added: what was matched, ignored or is still waiting, and who decided."""

    list_display = ["uploaded_at", "file_name", "format", "uploaded_by", "lines_new", "lines_known"]
    list_filter = ["format"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "uploaded_at"
    inlines = [StatementLineInline]


@admin.register(StripeEvent)
class StripeEventAdmin(RecordAdmin):
    list_display = ["event_id", "type", "received_at"]
    list_filter = ["type"]
    search_fields = ["=event_id"]


@admin.register(Receipt)
class ReceiptAdmin(PagesAdmin):
    """Issued receipts are never edited: a correction is "void and reissue"."""

    list_display = ["number", "kind", "amount_yen", "received_on", "donor_name", "issued_at", "voided_at"]
    list_filter = ["kind", "fiscal_year", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["=number"]
    date_hierarchy = "issued_at"
    actions = ["void_and_reissue"]
    change_list_template = "admin/donations/receipt/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["covers"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Void the selected receipts and issue corrected ones"), permissions=["change"])
    def void_and_reissue(self, request, queryset):
        reason = _("reissued by %(user)s") % {"user": request.user}
        done, refused = services.reissue_receipts(queryset, reason=reason)
        self.message_user(request, ngettext("%(n)d receipt reissued.", "%(n)d receipts reissued.", done) % {"n": done})
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(n)d receipt was not reissued: the donor's name or address is missing.",
                    "%(n)d receipts were not reissued: the donor's name or address is missing.",
                    refused,
                )
                % {"n": refused},
                messages.WARNING,
            )

    pages = (
        ("generate/", "generate_view", "donations_receipts_generate"),
        ("annual/", "annual_view", "donations_receipts_annual"),
    )

    def generate_view(self, request):
        """Issue the missing receipts of every payment received in a period (queued, one task per payment)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            count = services.queue_receipts(payments_without_receipt(*form.period()))
            self.message_user(
                request, ngettext("%(n)d receipt queued.", "%(n)d receipts queued.", count) % {"n": count}
            )
            return redirect("admin:donations_receipt_changelist")
        return self.render_page(request, "admin/form_page.html", _("Issue missing receipts for a period"), form=form)

    def annual_view(self, request):
        """Issue (or bring up to date) the annual receipts of a fiscal year; beat does this every January."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = RegisterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            count = services.queue_annual_receipts(form.cleaned_data["year"])
            self.message_user(
                request, ngettext("%(n)d annual receipt queued.", "%(n)d annual receipts queued.", count) % {"n": count}
            )
            return redirect("admin:donations_receipt_changelist")
        title = _("Issue annual receipts for a fiscal year")
        return self.render_page(request, "admin/form_page.html", title, form=form)


class MergeForm(forms.Form):
    keep = forms.IntegerField()


class DonorForm(forms.ModelForm):
    def clean_email(self):
        # The database refuses a second current donor with one email; say so on the field instead.
        email = self.cleaned_data["email"].lower()
        others = Donor.objects.filter(email__iexact=email, merged_into=None).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(_("Another donor has this email: merge the two donors instead."))
        return email


@admin.register(Donor)
class DonorAdmin(PagesAdmin):
    """One person's gifts, payments, receipts and messages on one page, with staff's notes; two records of one
    person are merged with the action."""

    form = DonorForm
    list_display = ["__str__", "name", "name_kana", "email", "gift_count", "total_given", "last_gift", "merged_into"]
    list_display_links = ["__str__", "name"]
    list_filter = [("merged_into", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_kana", "email", "phone"]
    fields = ["name", "name_kana", "email", "phone", "address", "notes", "created_at", "merged_into", "anonymised_at"]
    readonly_fields = ["created_at", "merged_into", "anonymised_at"]
    actions = ["merge_donors"]
    change_form_template = "admin/donations/donor/change_form.html"

    def has_add_permission(self, request):
        return False  # a donor comes with their first gift

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each figure a subquery, so the list is one query however many gifts each donor has.
        gifts = Donation.objects.filter(donor=OuterRef("pk")).exclude(status=Donation.Status.PENDING)
        payments = Payment.objects.filter(donation__donor=OuterRef("pk")).values("donation__donor")
        return (
            super()
            .get_queryset(request)
            .select_related("merged_into")
            .annotate(
                gifts_n=Coalesce(Subquery(gifts.values("donor").annotate(n=Count("pk")).values("n")), 0),
                given_yen=Coalesce(
                    Subquery(payments.annotate(total=Sum(F("amount_yen") - F("refunded_yen"))).values("total")), 0
                ),
                last_gift_at=Subquery(payments.annotate(last=Max("received_at")).values("last")),
            )
        )

    @admin.display(description=_("gifts"), ordering="gifts_n")
    def gift_count(self, donor):
        return donor.gifts_n

    @admin.display(description=_("total given"), ordering="given_yen")
    def total_given(self, donor):
        return f"¥{donor.given_yen:,}"

    @admin.display(description=_("last gift"), ordering="last_gift_at")
    def last_gift(self, donor):
        return timezone.localtime(donor.last_gift_at).date() if donor.last_gift_at else "—"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context |= {
                "gifts": list(obj.gifts.select_related("campaign").order_by("-created_at")),
                "payments": list(
                    Payment.objects.filter(donation__donor=obj).select_related("campaign").order_by("-received_at")
                ),
                "receipts": list(Receipt.objects.filter(Q(donation__donor=obj) | Q(donor=obj)).order_by("-issued_at")),
                "merged": list(obj.merged.all()),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Merge two donors (the same person)"), permissions=["change"])
    def merge_donors(self, request, queryset):
        donors = list(queryset.filter(merged_into=None).order_by("pk")[:3])
        if len(donors) != 2:
            self.message_user(request, _("Please select exactly two donors, neither merged already."), messages.ERROR)
            return None
        form = MergeForm(request.POST if "keep" in request.POST else None)
        if form.is_valid() and form.cleaned_data["keep"] in {donor.pk for donor in donors}:
            keep, merge = sorted(donors, key=lambda donor: donor.pk != form.cleaned_data["keep"])
            moved = services.merge_donors(keep=keep, merge=merge)
            self.message_user(
                request,
                ngettext(
                    "Donor #%(merge)s merged into donor #%(keep)s: %(n)d gift moved.",
                    "Donor #%(merge)s merged into donor #%(keep)s: %(n)d gifts moved.",
                    moved,
                )
                % {"merge": merge.pk, "keep": keep.pk, "n": moved},
                messages.SUCCESS,
            )
            return None
        return self.render_page(
            request,
            "admin/donations/donor/merge.html",
            _("Merge two donors"),
            donors=donors,
            action_checkbox_name=ACTION_CHECKBOX_NAME,
        )
