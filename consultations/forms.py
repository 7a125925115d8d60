from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from consultations.models import Consultation, Expert, Mode, Room, Topic
from jii.forms import IdChoiceField, IdMultipleChoiceField, ResidentForm, resident_details
from jii.models import Area, Language, area_choices
from spot.handover import Urgency, topic_choices

CONSENT_TEXT = _(
    "What you write here is confidential. It is read only by JII's consultation staff and by the expert (for "
    "example a lawyer, an administrative scrivener or a social worker) who takes your case. Other JII staff and "
    "volunteers only see that a consultation exists. We use your details only to help with this problem."
)


class ConsultationRequestForm(ResidentForm):
    area = IdChoiceField(
        label=_("City or ward where you live"),
        queryset=Area.objects.all(),
        help_text=_("Choose the nearest one. Never write your street address here."),
    )
    topic = forms.ChoiceField(label=_("What is it about?"), choices=Topic.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Please describe your situation"),
        max_length=4000,
        # data-private: not carried across a language switch (static/js/keep-typed.js).
        widget=forms.Textarea(attrs={"rows": 6, "data-private": ""}),
        help_text=_("In any language. Only consultation staff and your expert will read it."),
    )
    languages = IdMultipleChoiceField(
        label=_("Languages you can use"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    interpreter_needed = forms.BooleanField(label=_("I need an interpreter"), required=False)
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Consultation.Urgency.choices,
        coerce=int,
        initial=Consultation.Urgency.WHEN_POSSIBLE,
        widget=forms.RadioSelect,
    )
    preferred_times = forms.CharField(
        label=_("When can you talk? (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: weekday evenings, Saturday mornings."),
    )
    modes = forms.MultipleChoiceField(
        label=_("How would you like to talk?"), choices=Mode.choices, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label=_("I agree to how JII uses this information (above)."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
    )

    consent_text = CONSENT_TEXT
    fieldsets = [
        (_("About you"), ["name", "email", "phone", "area"]),
        (_("Your problem"), ["topic", "description", "languages", "interpreter_needed", "urgency"]),
        (_("Talking with an expert"), ["preferred_times", "modes"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "languages": list(data["languages"]),
            "resident_details": resident_details(data, household_type="other"),
            "topic": data["topic"],
            "description": data["description"],
            "interpreter_needed": data["interpreter_needed"],
            "urgency": data["urgency"],
            "preferred_times": data["preferred_times"],
            "modes": data["modes"],
        }


def experts_for(consultation):
    """Active experts with the case's topic among their specialities, those speaking one of its languages first."""
    from django.db.models import Count, Q

    languages = consultation.languages.all()
    return (
        Expert.objects.filter(is_active=True, specialities__topic=consultation.topic)
        .annotate(shared=Count("languages", filter=Q(languages__in=languages), distinct=True))
        .order_by("-shared", "name")
    )


class WhenForm(forms.Form):
    """A day, a start time in Tokyo and a length."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.TypedChoiceField(
        label=_("Length (minutes)"), choices=[(30, "30"), (60, "60"), (90, "90")], coerce=int, initial=60
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not timezone.localdate() <= day <= timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError(_("Choose a day from today to a year ahead."))
        return day

    def times(self):
        starts = timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["starts"]))
        return starts, starts + timedelta(minutes=self.cleaned_data["minutes"])


class BookingForm(WhenForm):
    expert = IdChoiceField(label=_("Expert"), queryset=Expert.objects.none())
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices)
    room = IdChoiceField(label=_("Room (in person)"), queryset=Room.objects.all(), required=False)

    field_order = ["expert", "day", "starts", "minutes", "mode", "room"]

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts_for(consultation)
        self.fields["expert"].help_text = _(
            "Experts in this topic; those who speak one of the resident's languages first."
        )

    def booking(self) -> dict:
        starts_at, ends_at = self.times()
        data = self.cleaned_data
        return {"expert": data["expert"], "starts_at": starts_at, "ends_at": ends_at, "mode": data["mode"],
                "room": data["room"]}  # fmt: skip


class InterpretedBookingForm(forms.Form):
    """For a case that needs an interpreter: only the times when an expert of the topic, an interpreter of the
    case's language and a room are all free (an hour each), with whom."""

    slot = forms.ChoiceField(label=pgettext_lazy("staff", "Free time"), widget=forms.RadioSelect)
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices)

    def __init__(self, *args, consultation, **kwargs):
        from consultations.availability import free_slots

        super().__init__(*args, **kwargs)
        self.slots = {slot.value: slot for slot in free_slots(consultation, experts_for(consultation))}
        self.fields["slot"].choices = [(value, slot_label(slot)) for value, slot in self.slots.items()]
        self.fields["slot"].help_text = pgettext_lazy(
            "staff",
            "The next two weeks' times when the expert, an interpreter of the case's language and a room are free.",
        )

    def booking(self) -> dict:
        slot = self.slots[self.cleaned_data["slot"]]
        mode = self.cleaned_data["mode"]
        return {
            "expert": slot.expert, "interpreter": slot.interpreter, "starts_at": slot.starts_at,
            "ends_at": slot.ends_at, "mode": mode, "room": slot.room if mode == Mode.IN_PERSON else None,
        }  # fmt: skip


def slot_label(slot) -> str:
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    parts = [f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}", slot.expert.name]
    if slot.interpreter:
        parts.append(pgettext("staff", "interpreter: %(name)s") % {"name": slot.interpreter.name})
    if slot.room:
        parts.append(str(slot.room))
    return " · ".join(parts)


class RescheduleForm(WhenForm):
    pass


class RedirectForm(forms.Form):
    summary = forms.CharField(
        label=_("What the volunteer should know"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In your words, only what a volunteer needs: the resident's own words stay in the consultation."),
    )
    resident_agreed = forms.BooleanField(label=_("The resident agreed to be helped by a Spot volunteer."))
    topic = forms.ChoiceField(label=_("Spot topic"))
    area = IdChoiceField(label=_("City or ward"), queryset=Area.objects.all())
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices()
        self.fields["area"].choices = area_choices()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class AnotherTimeForm(forms.Form):
    """On the confirm page of "Ask for another time": a few words on the times that suit, optional."""

    note = forms.CharField(
        label=_("Which days or times suit you better? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
