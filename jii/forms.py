import re
import unicodedata
from datetime import date, timedelta

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import validators
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from jii import audiences
from jii.choices import (
    Experience,
    Interest,
    LanguageLevel,
    SpotCategory,
    TimeOfDay,
    Weekday,
    availability_slots,
)
from jii.fields import language_choices, without_bidi_controls
from jii.hours import last_of_month, months_before
from jii.issuer import document_language
from jii.languages import language_tag
from jii.models import ConfidentialityPledge, Language, VolunteerProfile, area_choices

# The largest id a database column holds: the database cannot even look up a bigger one (it raises instead).
MAX_ID = 2**63 - 1


def id_fits(value) -> bool:
    try:
        return abs(int(str(value))) <= MAX_ID
    except ValueError:
        return True  # not a number at all: Django's own check refuses it with its usual message


class IdChoiceField(forms.ModelChoiceField):
    """A model choice that refuses an absurdly large id as an invalid choice, where the database would fail."""

    def to_python(self, value):
        if value not in self.empty_values and not id_fits(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices, each id checked for size first (see IdChoiceField)."""

    def _check_values(self, value):
        for pk in value:
            if not id_fits(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class AvailabilityWidget(forms.CheckboxSelectMultiple):
    """Weekday × time-of-day checkboxes laid out as a small table (rows: days, columns: times)."""

    template_name = "jii/widgets/availability.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options
        ]
        per_day = len(TimeOfDay)
        context["widget"]["times"] = TimeOfDay.labels
        context["widget"]["rows"] = [
            {"day": day.label, "options": options[i * per_day : (i + 1) * per_day]} for i, day in enumerate(Weekday)
        ]
        return context


class VolunteerProfileForm(forms.ModelForm):
    name = forms.CharField(label=_("Your name"), max_length=150)
    given_name_latin = forms.CharField(
        label=_("Your given name in Latin letters (rōmaji)"),
        help_text=_("Residents who cannot read Japanese see this beside your given name, e.g. Haruka (春香)."),
        max_length=60,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label=_("When can you usually meet?"), widget=AvailabilityWidget, required=False
    )
    experience = forms.MultipleChoiceField(
        label=_("Experience"),
        choices=Experience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests"),
        choices=Interest.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    spot_categories = forms.MultipleChoiceField(
        label=_("Spot Otonari-san: areas you can help with"),
        choices=SpotCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = VolunteerProfile
        fields = ["name", "gender", "phone", "area", "nearest_station", "availability"]
        fields += ["experience", "interests", "spot_categories", "spot_alerts", "quiet_from", "quiet_until", "about"]
        widgets = {
            "about": forms.Textarea(attrs={"rows": 4}),
            "spot_alerts": forms.RadioSelect,
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        field_classes = {"area": IdChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The confidentiality pledge is asked for until the volunteer has agreed to its current version.
        self.current_pledge = ConfidentialityPledge.objects.current()
        if self.current_pledge and not (self.instance.pk and self.instance.pledge_id == self.current_pledge.pk):
            self.fields["pledge"] = forms.BooleanField(
                label=_("I have read the pledge above and I agree to it."),
                error_messages={"required": _("Please tick the box to agree to the pledge.")},
                widget=forms.CheckboxInput(attrs={"aria-describedby": "pledge-text"}),
            )
        self.fields["name"].initial = user.name
        self.fields["given_name_latin"].initial = user.given_name_latin
        self.fields["availability"].choices = availability_slots()
        self.fields["spot_alerts"].required = False  # not sent: unchanged
        self.fields["area"].choices = area_choices()
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["name"].widget.attrs.update(autocomplete="name")
        levels = {}
        if self.instance.pk:
            levels = dict(self.instance.languages.values_list("language__code", "level"))
        # Japanese and English first: every volunteer is asked about them.
        first = {"ja": 0, "en": 1}
        self.languages = sorted(Language.objects.all(), key=lambda lang: (first.get(lang.code, 2), str(lang)))
        for language in self.languages:
            self.fields[f"language_{language.code}"] = forms.ChoiceField(
                label=str(language),
                choices=[("", _("—"))] + LanguageLevel.choices,
                required=False,
                initial=levels.get(language.code, ""),
            )

    def language_fields(self):
        return [self[f"language_{language.code}"] for language in self.languages]

    def clean(self):
        cleaned = super().clean()
        chosen = [(lang, cleaned.get(f"language_{lang.code}")) for lang in self.languages]
        cleaned["languages"] = [(lang, level) for lang, level in chosen if level]
        cleaned["spot_alerts"] = cleaned.get("spot_alerts") or self.instance.spot_alerts
        quiet_from, quiet_until = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        typo = self.has_error("quiet_from") or self.has_error("quiet_until")
        if (quiet_from is None) != (quiet_until is None) and not typo:
            missing = "quiet_until" if quiet_until is None else "quiet_from"
            self.add_error(missing, pgettext("volunteer", "Give both times, or leave both empty for no quiet hours."))
        elif quiet_from is not None and quiet_from == quiet_until:
            self.add_error("quiet_until", pgettext("volunteer", "The quiet hours must end at another time."))
        name, latin = cleaned.get("name", ""), cleaned.get("given_name_latin", "")
        if any(ord(char) > 0x3000 for char in name) and not latin:
            self.add_error("given_name_latin", _("Please write your given name in Latin letters too."))
        elif latin and not all(unicodedata.name(char, "").startswith("LATIN") for char in latin if char not in " -'"):
            self.add_error("given_name_latin", _("Please use Latin letters only (a–z)."))
        if not cleaned["languages"]:
            # Tied to the first language row (Japanese), where a screen reader announces it.
            self.add_error("language_ja", _("Tell us at least one language you speak, with your level."))
        return cleaned

    def agreed_pledge(self):
        """The pledge the volunteer has just agreed to, or None when the form did not ask."""
        return self.current_pledge if self.cleaned_data.get("pledge") else None

    def profile_fields(self):
        """The model fields to save, without the name and language rows handled separately."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "name"}


class PeriodForm(forms.Form):
    """A date range for the program figures pages (any program's admin uses it)."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            if cleaned.get(name) and cleaned[name].year < 2000:
                self.add_error(name, _("Choose a date from 2000 on."))
        return cleaned

    def period(self) -> tuple[date, date]:
        """The chosen dates, or the last twelve months."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=365)
        return (start, end) if start <= end else (end, start)


# Mistakes phones make in email addresses' endings, and what was meant.
EMAIL_DOMAIN_TYPOS = {
    "gmail.con": "gmail.com", "gmail.co": "gmail.com", "gmai.com": "gmail.com", "gmial.com": "gmail.com",
    "gmail.cm": "gmail.com", "yahoo.co.jo": "yahoo.co.jp", "yahoo.con": "yahoo.com", "icloud.con": "icloud.com",
    "hotmail.con": "hotmail.com", "outlook.con": "outlook.com", "docomo.ne.jo": "docomo.ne.jp",
    "ezweb.ne.jo": "ezweb.ne.jp", "softbank.ne.jo": "softbank.ne.jp",
}  # fmt: skip


class PhoneFriendlyEmailField(forms.EmailField):
    """An email address typed on a phone: full-width letters (ｎｇｕｙｅｎ＠ｇｍａｉｌ．ｃｏｍ) are converted, and a
    comma or a mistyped ending gets a hint with the address that was probably meant."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or "").replace("。", "."))

    def validate(self, value):
        if value and "," in value:
            raise forms.ValidationError(
                _("An email address has no commas. Did you mean %(suggestion)s?"),
                code="comma",
                params={"suggestion": value.replace(",", ".")},
            )
        domain = value.rpartition("@")[2].lower()
        if domain in EMAIL_DOMAIN_TYPOS:
            raise forms.ValidationError(
                _("Please check the end of the address. Did you mean %(suggestion)s?"),
                code="domain_typo",
                params={"suggestion": value.rpartition("@")[0] + "@" + EMAIL_DOMAIN_TYPOS[domain]},
            )
        super().validate(value)


# The longest free text a public form takes (a description, a child's needs): a page of writing.
TEXT_LIMIT = 2000


class PlainErrorsMixin:
    """Errors a resident can act on: an empty field says to fill it in or choose, a consent box to tick it
    (instead of "This field is required." everywhere). The summary at the top names each field. Every text has a
    length limit, and loses the characters that would make it show as something else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                if field.max_length is None:
                    field.max_length = TEXT_LIMIT
                    field.validators.append(validators.MaxLengthValidator(TEXT_LIMIT))
                    field.widget.attrs["maxlength"] = str(TEXT_LIMIT)
                field.error_messages["max_length"] = _(
                    "Please shorten this to %(limit_value)d characters or fewer (it has %(show_value)d)."
                )
            if name == "consent":
                field.error_messages["required"] = _("Please tick the box to agree.")
            elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                field.error_messages["required"] = _("Please choose at least one.")
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = _("Please choose one.")
            else:
                field.error_messages["required"] = _("Please fill this in.")

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = without_bidi_controls(value)
        return cleaned


class ConsentMixin:
    """For public forms with a required `consent` checkbox described by a text with id="consent-text": keeps
    both the text and, when there is one, the error tied to the checkbox."""

    def full_clean(self):
        super().full_clean()
        if "consent" in self.errors:
            self.fields["consent"].widget.attrs["aria-describedby"] = "consent-text id_consent_error"


class ResidentForm(PlainErrorsMixin, ConsentMixin, forms.Form):
    """The start of every public form a resident fills in: who they are and how to reach them. Subclasses add
    their own fields, a `consent` checkbox with its `consent_text`, and `fieldsets` for the page."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = PhoneFriendlyEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    fieldsets: list = []

    def grouped_fields(self):
        """[(legend, [bound field, …]), …] for the template, one fieldset each."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


def resident_details(data: dict, household_type: str) -> dict:
    """What a public form tells about the resident, for jii.services.find_or_create_resident (which only fills
    what the shared record does not have yet)."""
    return {
        "name": data["name"],
        "phone": data["phone"],
        "prefecture": data["area"].prefecture,
        "municipality": data["area"].name.in_language(settings.LANGUAGE_CODE),  # as on a Japanese address
        "household_type": household_type,
    }


class ResidentLanguageForm(PlainErrorsMixin, forms.Form):
    """On the status page: the language of this page and of every later email."""

    language = forms.ChoiceField(
        label=_("Language for this page and our emails"),
        choices=language_choices,
        error_messages={"invalid_choice": _("Please choose one of the languages in the list.")},
    )


class StatusLinkAgainForm(PlainErrorsMixin, forms.Form):
    """The "send me my link again" form: the email address or phone number the resident gave us."""

    contact = forms.CharField(
        label=_("Your email address or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )

    def clean_contact(self):
        contact = unicodedata.normalize("NFKC", self.cleaned_data["contact"]).strip()
        if "@" in contact:
            try:
                forms.EmailField().clean(contact)
            except forms.ValidationError:
                raise forms.ValidationError(_("This email address is not complete. Please check it.")) from None
            return contact.lower()
        if sum(character.isdigit() for character in contact) < 8:
            raise forms.ValidationError(_("Please write an email address, or a phone number with all its digits."))
        return contact


class AssistedIntakeForm(forms.Form):
    """Beside a public form, when a coordinator fills it in for a resident who phoned or came in."""

    prefix = "assisted"
    agreed = forms.ChoiceField(
        label=pgettext_lazy("staff", "The resident agreed to the text below"),
        choices=[("phone", pgettext_lazy("staff", "by phone")), ("in_person", pgettext_lazy("staff", "in person"))],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=pgettext_lazy("staff", "The resident's language (for their messages and status page)"),
        choices=language_choices,
    )


def allow_phone_instead_of_email(form) -> None:
    """For a coordinator entering a resident without email: the email may stay empty if there is a phone number."""
    form.fields["email"].required = False
    clean = form.clean

    def email_or_phone():
        data = clean()
        if not data.get("email") and not data.get("phone") and "email" not in form.errors:
            form.add_error("phone", pgettext_lazy("staff", "Give an email address or a phone number."))
        return data

    form.clean = email_or_phone


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, taking as long for an address that already has an account as for a new one: hashing
    the password is most of a sign-up's time, so skipping it would tell who is registered."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class GroupMessageForm(forms.Form):
    """A coordinator's message to a group of volunteers (jii/audiences.py): the group, then a subject and a
    message in each of settings.GROUP_MESSAGE_LANGUAGES, the first required, each other one whole or left out."""

    # LINE takes 5,000 characters in one message: the greeting, signature and footer need the rest.
    BODY_LIMIT = 4000

    token = forms.UUIDField(widget=forms.HiddenInput)
    group = forms.ChoiceField(label=pgettext_lazy("staff", "To"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "---------"), *audiences.grouped_choices()]
        names = dict(settings.LANGUAGES)
        optional = pgettext("staff", "Optional: volunteers who do not read %(language)s get this version.")
        for index, code in enumerate(settings.GROUP_MESSAGE_LANGUAGES):
            language, required = {"language": names[code]}, index == 0
            typing = {"lang": language_tag(code)}
            self.fields[f"subject_{code}"] = forms.CharField(
                label=pgettext("staff", "Subject in %(language)s") % language,
                max_length=200,
                required=required,
                widget=forms.TextInput(typing),
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=pgettext("staff", "Message in %(language)s") % language,
                max_length=self.BODY_LIMIT,
                required=required,
                widget=forms.Textarea({"rows": 10, **typing}),
                help_text=None if required else optional % {"language": names[settings.GROUP_MESSAGE_LANGUAGES[0]]},
            )

    def clean(self):
        data = super().clean()
        names = dict(settings.LANGUAGES)
        for code in settings.GROUP_MESSAGE_LANGUAGES[1:]:
            subject, body, language = data.get(f"subject_{code}"), data.get(f"body_{code}"), names[code]
            if subject and not body and f"body_{code}" not in self.errors:
                message = pgettext("staff", "Write the message in %(language)s too, or leave its subject empty.")
                self.add_error(f"body_{code}", message % {"language": language})
            if body and not subject and f"subject_{code}" not in self.errors:
                message = pgettext("staff", "Write a subject in %(language)s too, or leave its message empty.")
                self.add_error(f"subject_{code}", message % {"language": language})
        return data

    def audience(self) -> tuple[str, str]:
        """The group chosen: its kind and value ("area", "12")."""
        kind, _colon, value = self.cleaned_data["group"].partition(":")
        return kind, value

    def texts(self, field: str) -> dict[str, str]:
        """The subjects or the messages written, by language: {"ja": "…", "en": "…"}."""
        written = ((code, self.cleaned_data.get(f"{field}_{code}")) for code in settings.GROUP_MESSAGE_LANGUAGES)
        return {code: text.replace("\r\n", "\n") for code, text in written if text}  # browsers send CRLF


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        # A month input holds "2026-05" or nothing: what else was sent comes back empty, its error beside it.
        value = super().format_value(value)
        return value if value and re.fullmatch(r"\d{4}-\d{2}", value) else None


class MonthField(forms.DateField):
    """A month, typed or picked as "2026-05" (the first day of that month)."""

    widget = MonthInput(format="%Y-%m")
    input_formats = ["%Y-%m"]

    def __init__(self, **kwargs):
        super().__init__(input_formats=self.input_formats, **kwargs)
        self.error_messages["invalid"] = pgettext_lazy("volunteer", "Please choose a month, for example 2026-04.")
        self.error_messages["required"] = pgettext_lazy("volunteer", "Please choose a month.")


class CertificateForm(forms.Form):
    """The period (from month to month, the last twelve by default) and language of a volunteer certificate."""

    start = MonthField(label=pgettext_lazy("volunteer", "From (month)"))
    end = MonthField(label=pgettext_lazy("volunteer", "To (month)"))
    language = forms.ChoiceField(
        label=pgettext_lazy("volunteer", "Language of the certificate"), widget=forms.RadioSelect
    )

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [(code, names[code]) for code in settings.RECEIPT_LANGUAGES]
        today = timezone.localdate()
        self.initial.setdefault("start", months_before(today, 11))
        self.initial.setdefault("end", today.replace(day=1))
        self.initial.setdefault("language", document_language(language))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        this_month = timezone.localdate().replace(day=1)
        if start and start.year < 2000:
            self.add_error("start", pgettext_lazy("volunteer", "Choose a month from 2000 on."))
        for name in ("start", "end"):
            if cleaned.get(name) and cleaned[name] > this_month:
                self.add_error(
                    name,
                    pgettext_lazy("volunteer", "This month is still to come. Choose this month or an earlier one."),
                )
        if start and end and start <= this_month and end <= this_month and start > end:
            self.add_error(
                "end", pgettext_lazy("volunteer", "The last month comes before the first. Choose a later month.")
            )
        return cleaned

    def period(self) -> tuple[date, date]:
        """The days the certificate covers: from the first month's first day to the last month's end (today, when
        it is this month)."""
        return self.cleaned_data["start"], min(last_of_month(self.cleaned_data["end"]), timezone.localdate())
