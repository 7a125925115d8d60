from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from donations.models import Donation
from donations.stripe_api import KONBINI_DAYS_TO_PAY, STRIPE_METHODS, offered_methods
from jii.forms import ConsentMixin, PhoneFriendlyEmailField, PlainErrorsMixin

OTHER = "other"
CONSENT_TEXT = _(
    "JII uses your details to process your gift, send you a thank-you and a receipt, and — for a monthly or "
    "yearly gift — let you change or stop it. Your name is shown with your message only as you choose below. We never "
    "sell or share your details."
)


# What the donor chooses between, saying what happens next (Stripe shows the voucher or the account number).
METHOD_CHOICES = {
    "card": _("Card: paid at once"),
    "konbini": _("Convenience store (konbini): pay within %(days)d days with a payment number"),
    "paypay": _("PayPay: pay in the PayPay app"),
    "jp_bank_transfer": _("Bank transfer: from any bank, to an account number of your own"),
}
METHOD_NAMES = {
    "card": _("A card"),
    "konbini": _("A convenience store payment"),
    "paypay": _("PayPay"),
    "jp_bank_transfer": _("A bank transfer"),
}


class DonationForm(PlainErrorsMixin, ConsentMixin, forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often?"), choices=Donation.Frequency.choices, initial="monthly", widget=forms.RadioSelect
    )
    tier = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect)
    method = forms.ChoiceField(
        label=_("How will you pay?"),
        widget=forms.RadioSelect,
        help_text=_(
            "Monthly and yearly gifts are by card. With a convenience store or a bank transfer, your gift counts, "
            "and your thank-you and receipt come, when the money arrives."
        ),
    )
    other_amount = forms.IntegerField(label=_("Another amount (yen)"), required=False, max_value=10_000_000)
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    name_kana = forms.CharField(
        label=_("Your name in kana (optional)"),
        required=False,
        max_length=150,
        help_text=_("As your bank shows it when you transfer, e.g. ヤマダ ハナコ: it helps us match a transfer."),
    )
    email = PhoneFriendlyEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
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
        offered = offered_methods()
        self.fields["method"].choices = [
            (
                method,
                METHOD_CHOICES[method] % {"days": KONBINI_DAYS_TO_PAY}
                if method == "konbini"
                else METHOD_CHOICES[method],
            )
            for method in offered
        ]
        self.fields["method"].initial = offered[0] if offered else None
        if len(offered) == 1:  # nothing to choose
            self.fields["method"].widget = forms.HiddenInput()
        self.fields["tier"].choices = [(str(t.amount_yen), f"¥{t.amount_yen:,} — {t.impact}") for t in tiers] + [
            (OTHER, _("Another amount"))
        ]
        if tiers:
            self.fields["tier"].initial = str(tiers[len(tiers) // 2].amount_yen)
        self.fields["frequency"].help_text = _(
            "Monthly and yearly gifts renew by themselves until you stop them, at any time. A yearly gift renews "
            "each year on the day you give; we email you %(days)d days before each renewal."
        ) % {"days": settings.DONATION_RENEWAL_NOTICE_DAYS}
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
        self.check_method(cleaned.get("method"), cleaned.get("frequency"), cleaned.get("amount_yen"))
        if cleaned.get("show_as") == Donation.ShowAs.NICKNAME and not cleaned.get("nickname", "").strip():
            self.add_error("nickname", _("Please enter the nickname to show."))
        return cleaned

    def check_method(self, method, frequency, amount):
        rules = STRIPE_METHODS.get(method)
        if rules is None:
            return
        if frequency != Donation.Frequency.ONCE and not rules.renews:
            self.add_error("method", _("Monthly and yearly gifts are made by card. Please choose card, or give once."))
        elif amount and amount > rules.maximum_yen:
            message = _("%(method)s takes at most ¥%(yen)s. Please choose another way to pay.")
            self.add_error("method", message % {"method": METHOD_NAMES[method], "yen": f"{rules.maximum_yen:,}"})
        elif amount and amount < rules.minimum_yen:
            message = _("%(method)s takes at least ¥%(yen)s. Please choose another way to pay.")
            self.add_error("method", message % {"method": METHOD_NAMES[method], "yen": f"{rules.minimum_yen:,}"})

    def donation_details(self, language: str) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "frequency": data["frequency"],
            "amount_yen": data["amount_yen"],
            "name": data["name"],
            "name_kana": data["name_kana"].strip(),
            "email": data["email"],
            "phone": data["phone"].strip(),
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
