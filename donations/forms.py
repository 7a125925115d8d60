from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from donations.models import Donation
from jii.forms import ConsentMixin, PhoneFriendlyEmailField, PlainErrorsMixin

OTHER = "other"
CONSENT_TEXT = _(
    "JII uses your details to process your gift, send you a thank-you and a receipt, and — for a monthly gift "
    "— let you change or stop it. Your name is shown with your message only as you choose below. We never "
    "sell or share your details."
)


class DonationForm(PlainErrorsMixin, ConsentMixin, forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often?"), choices=Donation.Frequency.choices, initial="monthly", widget=forms.RadioSelect
    )
    tier = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect)
    other_amount = forms.IntegerField(label=_("Another amount (yen)"), required=False, max_value=10_000_000)
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = PhoneFriendlyEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Postal address (optional, needed for a receipt)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    receipts_wanted = forms.ChoiceField(
        label=_("Receipts"),
        choices=Donation.ReceiptsWanted.choices,
        initial=Donation.ReceiptsWanted.EACH,
        widget=forms.RadioSelect,
        help_text=_("Monthly supporters often choose one receipt a year."),
    )
    show_as = forms.ChoiceField(
        label=_("Show my name with my message as"),
        choices=Donation.ShowAs.choices,
        initial=Donation.ShowAs.NAME,
        widget=forms.RadioSelect,
    )
    nickname = forms.CharField(label=_("Nickname"), required=False, max_length=60)
    message = forms.CharField(
        label=_("A message of support (optional, shown after moderation)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accounting_consent = forms.BooleanField(
        label=_("JII may list my name in its donation records (needed for a receipt)"), required=False, initial=True
    )
    consent = forms.BooleanField(
        label=_("I agree to how JII uses my details (above)."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
    )
    consent_text = CONSENT_TEXT

    def __init__(self, *args, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [(str(t.amount_yen), f"¥{t.amount_yen:,} — {t.impact}") for t in tiers] + [
            (OTHER, _("Another amount"))
        ]
        if tiers:
            self.fields["tier"].initial = str(tiers[len(tiers) // 2].amount_yen)
        self.fields["other_amount"].min_value = settings.DONATION_MINIMUM_YEN
        self.fields["other_amount"].validators.append(MinValueValidator(settings.DONATION_MINIMUM_YEN))
        self.fields["other_amount"].widget.attrs.update(min=settings.DONATION_MINIMUM_YEN, step=1, inputmode="numeric")
        if settings.DONATIONS_TAX_DEDUCTIBLE:
            # A receipt for a tax deduction must name the donor and their address (JII as a 認定NPO法人).
            address = self.fields["address"]
            address.required = True
            address.label = _("Postal address (for your tax receipt)")
            address.error_messages["required"] = _(
                "Please enter your postal address: a receipt for a tax deduction must show it."
            )
            self.fields["name"].error_messages["required"] = _(
                "Please enter your name: a receipt for a tax deduction must show it."
            )

    def clean(self):
        cleaned = super().clean()
        tier = cleaned.get("tier")
        if tier == OTHER:
            amount = cleaned.get("other_amount")
            if amount is None and "other_amount" not in self.errors:
                self.add_error("other_amount", _("Please enter an amount in whole yen."))
            cleaned["amount_yen"] = amount
        elif tier:
            cleaned["amount_yen"] = int(tier)
        if cleaned.get("show_as") == Donation.ShowAs.NICKNAME and not cleaned.get("nickname", "").strip():
            self.add_error("nickname", _("Please enter the nickname to show."))
        return cleaned

    def donation_details(self, language: str) -> dict:
        data = self.cleaned_data
        return {
            "frequency": data["frequency"],
            "amount_yen": data["amount_yen"],
            "name": data["name"],
            "email": data["email"],
            "address": data["address"],
            "receipts_wanted": data["receipts_wanted"],
            "show_as": data["show_as"],
            "nickname": data["nickname"],
            "message": data["message"].strip(),
            "accounting_consent": data["accounting_consent"],
            "language": language,
        }


class ReceiptsWantedForm(forms.Form):
    """On the donor's own page: a receipt for each gift, or one a year."""

    receipts_wanted = forms.ChoiceField(
        label=_("How would you like your receipts?"),
        choices=Donation.ReceiptsWanted.choices,
        widget=forms.RadioSelect,
    )


class HistoryLinkForm(PlainErrorsMixin, forms.Form):
    """A donor who lost the link to their gifts and receipts: the email address they gave."""

    email = PhoneFriendlyEmailField(
        label=_("Your email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
