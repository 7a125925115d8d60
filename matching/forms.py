from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.choices import HouseholdType, Interest
from jii.forms import IdChoiceField, IdMultipleChoiceField, PlainErrorsMixin, ResidentForm, resident_details
from jii.models import Area, Language, area_choices
from matching.models import CheckIn, Extension, GenderPreference, Hope, JapaneseLevel, Match, ResidentCheckIn, TimeBand

CONSENT_TEXT = _(
    "JII uses what you write here only to find you a volunteer partner and to follow your pair. Coordinators "
    "and, once you both accept, your partner will see it. We keep it for as long as you take part and then "
    "delete it, except for anonymous figures. You can ask us to delete it at any time: info@j-ii.org."
)


class ApplicationForm(ResidentForm):
    household_type = forms.ChoiceField(label=_("Who are you?"), choices=HouseholdType.choices, widget=forms.RadioSelect)
    adults = forms.IntegerField(label=_("Adults in your household"), min_value=1, max_value=12, initial=1)
    children_ages = forms.CharField(
        label=_("Children's ages (optional)"),
        required=False,
        help_text=_("For example: 3, 7"),
        max_length=60,
    )
    japanese_level = forms.ChoiceField(
        label=_("Your Japanese"), choices=JapaneseLevel.choices, widget=forms.RadioSelect
    )
    languages = IdMultipleChoiceField(
        label=_("Languages you speak"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    area = IdChoiceField(
        label=_("City or ward where you live"),
        queryset=Area.objects.all(),
        help_text=_("Choose the nearest one."),
    )
    nearest_station = forms.CharField(label=_("Nearest station"), max_length=100)
    availability = forms.MultipleChoiceField(
        label=_("When are you usually free?"), choices=TimeBand.choices, widget=forms.CheckboxSelectMultiple
    )
    hopes = forms.MultipleChoiceField(
        label=_("What do you hope for?"), choices=Hope.choices, widget=forms.CheckboxSelectMultiple
    )
    interests = forms.MultipleChoiceField(
        label=_("Your interests (optional)"),
        choices=Interest.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    gender_preference = forms.ChoiceField(
        label=_("Would you like your partner to be…"),
        choices=GenderPreference.choices,
        initial=GenderPreference.ANY,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_("I agree to how JII uses this information (above)."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
    )

    consent_text = CONSENT_TEXT
    fieldsets = [
        (_("About you"), ["name", "email", "phone"]),
        (
            _("Your household and languages"),
            ["household_type", "adults", "children_ages", "japanese_level", "languages"],
        ),
        (_("Where and when"), ["area", "nearest_station", "availability"]),
        (_("Your partner"), ["hopes", "interests", "gender_preference", "message"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()

    def clean_children_ages(self):
        text = self.cleaned_data["children_ages"].replace("、", ",").replace("，", ",")
        ages = []
        for part in filter(None, (piece.strip() for piece in text.split(","))):
            if not part.isdecimal() or int(part) > 25:
                raise forms.ValidationError(_("Write ages as numbers separated by commas, for example: 3, 7"))
            ages.append(int(part))
        return ages

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("household_type") == HouseholdType.FAMILY and not cleaned.get("children_ages"):
            self.add_error("children_ages", _("Please tell us your children's ages."))
        return cleaned

    def submission(self) -> dict:
        """Keyword arguments for matching.services.submit_application."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "languages": list(data["languages"]),
            "resident_details": resident_details(data, household_type=data["household_type"]),
            "household_type": data["household_type"],
            "adults": data["adults"],
            "children_ages": data["children_ages"],
            "japanese_level": data["japanese_level"],
            "area": data["area"],
            "nearest_station": data["nearest_station"],
            "availability": data["availability"],
            "hopes": data["hopes"],
            "interests": data["interests"],
            "gender_preference": data["gender_preference"],
            "message": data["message"],
        }


class ResponseForm(PlainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Yes, I would like to meet")), ("decline", _("No, thank you"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("If not, why? (helps us find a better match)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Please tell us briefly why."))
        return cleaned

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


# A month of an OFP pair: a few hours is usual, 50 hours is more than anyone gives.
MAX_CHECK_IN_MINUTES = 3000


class CheckInForm(forms.ModelForm):
    met = forms.TypedChoiceField(
        label=_("Did you meet this month?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    # Asked of every new check-in (older ones have none): the month's time, messages and calls included.
    minutes_spent = forms.IntegerField(
        label=pgettext_lazy("volunteer", "Time you spent with them this month (minutes)"),
        help_text=pgettext_lazy(
            "volunteer", "For example 90 for an hour and a half. Messages and calls count too; 0 if none."
        ),
        min_value=0,
        max_value=MAX_CHECK_IN_MINUTES,
        error_messages=dict.fromkeys(
            ["required", "invalid", "min_value", "max_value"],
            pgettext_lazy("volunteer", "Please write the minutes as a number from 0 to 3,000."),
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = CheckIn
        fields = ["met", "how", "mood", "minutes_spent", "note", "concern"]
        widgets = {
            "how": forms.RadioSelect,
            "mood": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
            "concern": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"how": _("How did you meet?"), "note": _("What did you do? (optional)")}
        help_texts = {"concern": _("Anything worrying? A coordinator will contact you. Leave empty if all is well.")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("met") and not cleaned.get("how"):
            self.add_error("how", _("Please tell us how you met."))
        return cleaned


class SurveyForm(PlainErrorsMixin, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with your pair?"),
        choices=[(5, _("5 — very")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — not at all"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClosePairForm(forms.Form):
    reason = forms.ChoiceField(label=_("How did the pair end?"), choices=Match.EndReason.choices)
    note = forms.CharField(label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FaceSelect(forms.RadioSelect):
    """A radio group whose options show a face beside their word (the face hidden from screen readers)."""

    option_template_name = "matching/_face_option.html"


class ResidentCheckInForm(PlainErrorsMixin, forms.Form):
    feeling = forms.ChoiceField(
        label=_("How is it going with your Otonari-san?"), choices=ResidentCheckIn.Feeling.choices, widget=FaceSelect
    )
    need = forms.CharField(
        label=_("Anything you need? (optional)"),
        help_text=_("Only JII's coordinators read this."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtensionDecisionForm(forms.ModelForm):
    """The coordinator's answer to a request to continue: a new end date later than the current one, or no."""

    field_order = ["decision", "new_ends_on"]

    decision = forms.ChoiceField(
        label=pgettext_lazy("staff", "Decision"),
        choices=[
            ("approve", pgettext_lazy("staff", "Approve: the pair continues until the new end date")),
            ("decline", pgettext_lazy("staff", "Decline: the pair ends as planned")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Extension
        fields = ["new_ends_on"]
        widgets = {"new_ends_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        cleaned = super().clean()
        new_ends_on, ends_on = cleaned.get("new_ends_on"), self.instance.match.ends_on
        if cleaned.get("decision") == "approve":
            if new_ends_on is None:
                self.add_error("new_ends_on", pgettext_lazy("staff", "Please give the new end date."))
            elif new_ends_on <= ends_on:
                self.add_error(
                    "new_ends_on",
                    pgettext_lazy("staff", "The new end date must be later than the current one (%(date)s).")
                    % {"date": formats.date_format(ends_on)},
                )
        return cleaned
