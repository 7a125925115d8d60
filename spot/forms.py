from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jii.choices import Prefecture, SpotCategory
from jii.forms import IdChoiceField, IdMultipleChoiceField, PlainErrorsMixin, ResidentForm, resident_details
from jii.models import Area, Language, area_choices
from spot.models import TOPICS_BY_CATEGORY, HelpMode, Topic, Urgency

OTHER = "other"
CONSENT_TEXT = _(
    "JII uses what you write here only to find a volunteer and to follow up on your request. Volunteers see "
    "the kind of help, the area, the languages and the dates; your name, contact details and your own words "
    "are shown only to the one volunteer who takes your request, and to JII's coordinators."
)


def topic_choices():
    """Topics grouped by category, after an empty choice (nothing is pre-selected)."""
    groups = [
        (SpotCategory(category).label, [(topic.value, topic.label) for topic in topics])
        for category, topics in TOPICS_BY_CATEGORY.items()
    ]
    return [("", "---------"), *groups]


class SpotRequestForm(ResidentForm):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[*SpotCategory.choices, (OTHER, _("Something else"))],
        widget=forms.RadioSelect,
    )
    topic = forms.ChoiceField(label=_("Which of these is closest?"), choices=topic_choices)
    description = forms.CharField(
        label=_("What do you need? In your own words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the volunteer who takes your request will read this."),
    )
    languages = IdMultipleChoiceField(
        label=_("Languages you can use"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    modes = forms.MultipleChoiceField(
        label=_("How can a volunteer help?"), choices=HelpMode.choices, widget=forms.CheckboxSelectMultiple
    )
    area = IdChoiceField(
        label=_("City or ward"),
        queryset=Area.objects.all(),
        help_text=_("Choose the nearest one. Never write your street address here."),
    )
    flexible = forms.BooleanField(label=_("Any day is fine"), required=False)
    earliest = forms.DateField(
        label=_("Earliest day that suits you"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    latest = forms.DateField(
        label=_("Latest day that suits you"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.WHEN_POSSIBLE,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=_("I agree to how JII uses this information (above)."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
    )

    consent_text = CONSENT_TEXT
    fieldsets = [
        (_("About you"), ["name", "email", "phone"]),
        (_("Your problem"), ["category", "topic", "description", "languages", "modes"]),
        (_("Where and when"), ["area", "flexible", "earliest", "latest", "urgency"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()

    def clean(self):
        cleaned = super().clean()
        category, topic = cleaned.get("category"), cleaned.get("topic")
        if category == OTHER:
            self.add_error(
                "category",
                _(
                    "Spot Otonari-san helps only with welfare, child-rearing and education, healthcare, and living "
                    "infrastructure. For other problems (visa, work, money, family…), JII's Kurashi consultations "
                    "can help: please write to info@j-ii.org."
                ),
            )
        elif category and topic and Topic(topic) not in TOPICS_BY_CATEGORY[SpotCategory(category)]:
            self.add_error("topic", _("Please choose a topic from the area you chose above."))
        earliest, latest = cleaned.get("earliest"), cleaned.get("latest")
        today = timezone.localdate()
        if earliest and earliest < today:
            self.add_error("earliest", _("Please choose today or a later day."))
        if latest and latest < today:
            self.add_error("latest", _("Please choose today or a later day."))
        if earliest and latest and latest < earliest:
            self.add_error("latest", _("This must be on or after the first day."))
        if cleaned.get("flexible"):
            cleaned["earliest"] = cleaned["latest"] = None
        elif not (earliest or latest) and "earliest" not in self.errors:
            self.add_error("earliest", _("Choose the days that suit you, or tick “Any day is fine”."))
        return cleaned

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "languages": list(data["languages"]),
            "resident_details": resident_details(data, household_type="other"),
            "category": data["category"],
            "topic": data["topic"],
            "phone": data["phone"],
            "description": data["description"],
            "modes": data["modes"],
            "area": data["area"],
            "earliest": data["earliest"],
            "latest": data["latest"],
            "urgency": data["urgency"],
        }


class BoardFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *SpotCategory.choices])
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False, choices=[("", _("All")), *Prefecture.choices])
    language = IdChoiceField(label=_("Language"), required=False, queryset=Language.objects.all(), empty_label=_("All"))
    day = forms.DateField(label=_("Free on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, requests):
        if not self.is_valid():
            return requests
        data = self.cleaned_data
        if data["category"]:
            requests = requests.filter(category=data["category"])
        if data["prefecture"]:
            requests = requests.filter(area__prefecture=data["prefecture"])
        if data["language"]:
            requests = requests.filter(languages=data["language"])
        if data["day"]:
            day = data["day"]
            requests = requests.exclude(earliest__gt=day).exclude(latest__lt=day)
        return requests


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can you not help after all?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreeDateForm(forms.Form):
    day = forms.DateField(label=_("Agreed date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Please choose today or a later day."))
        return day


class DoneForm(forms.Form):
    report = forms.CharField(label=_("What did you do?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    minutes_spent = forms.IntegerField(label=_("Time spent (minutes)"), min_value=1, max_value=24 * 60)
    follow_up_needed = forms.BooleanField(label=_("Follow-up is needed (a coordinator will look)"), required=False)


class FeedbackForm(PlainErrorsMixin, forms.Form):
    feedback = forms.CharField(
        label=_("A word of thanks or feedback for JII"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OfpWishForm(PlainErrorsMixin, forms.Form):
    consent = forms.BooleanField(
        label=_("I would like to continue as an OFP pair, and agree to how JII uses my information for OFP.")
    )
