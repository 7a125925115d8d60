from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from hanamaru.models import Absence, Child, Class, ConsentText
from hanamaru.selectors import children_of_session, classes_with_places
from jii.forms import IdChoiceField, IdMultipleChoiceField, PlainErrorsMixin, ResidentForm, resident_details
from jii.models import Area, Language, area_choices

MAX_CHILDREN = 3


class ClassChoiceField(IdChoiceField):
    def label_from_instance(self, klass):
        left = klass.places_left
        places = _("%(n)s places left") % {"n": left} if left > 0 else _("full: waiting list")
        return f"{klass.name} — {klass.get_age_band_display()}, {klass.venue} ({places})"


class GuardianForm(ResidentForm):
    area = IdChoiceField(
        label=_("City or ward where you live"), queryset=Area.objects.all(), help_text=_("Choose the nearest one.")
    )
    languages = IdMultipleChoiceField(
        label=_("Languages you can use"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    klass = ClassChoiceField(
        label=_("Class"), queryset=Class.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    consent = forms.BooleanField(
        label=_("I agree to how JII looks after my children's information (above)."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
    )
    # The version the guardian read: agreeing to it is only valid while it is the current one.
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    fieldsets = [(_("About you"), ["name", "email", "phone", "area", "languages"]), (_("The class"), ["klass"])]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()
        self.fields["klass"].queryset = classes_with_places()
        consent = ConsentText.objects.latest()
        self.consent_text = consent.text
        self.fields["consent_version"].initial = consent.version

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "languages": list(data["languages"]),
            "resident_details": resident_details(data, household_type="family"),
            "klass": data["klass"],
            "consent_version": data["consent_version"],
        }


class ChildForm(PlainErrorsMixin, forms.ModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "family_name", "age", "school", "home_languages", "japanese_level", "needs"]
        widgets = {
            "home_languages": forms.CheckboxSelectMultiple,
            "japanese_level": forms.RadioSelect,
            "needs": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"home_languages": IdMultipleChoiceField}
        help_texts = {
            "needs": _("Anything the tutors should know: allergies, health, how your child learns best."),
            "school": _("For example: Meguro Elementary, grade 2."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age"].widget.attrs.update(min=3, max=15, inputmode="numeric")
        self.fields["japanese_level"].choices = Child.JapaneseLevel.choices  # no empty choice for a radio list

    def clean_age(self):
        age = self.cleaned_data["age"]
        if not 3 <= age <= 15:
            raise forms.ValidationError(_("Hanamaru classes are for children from 3 to 15 years old."))
        return age

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BaseChildFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("You can enrol up to %(num)d children at a time."),
        "missing_management_form": _("Part of the form was missing. Please fill it in again."),
    }

    def clean(self):
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Please tell us about at least one child."))


# absolute_max caps the forms Django builds from a posted TOTAL_FORMS (its default, max_num + 1000, let one
# small POST build and render a thousand forms).
ChildFormSet = forms.formset_factory(
    ChildForm,
    formset=BaseChildFormSet,
    extra=MAX_CHILDREN,
    max_num=MAX_CHILDREN,
    absolute_max=MAX_CHILDREN,
    validate_max=True,
)


class TermForm(forms.Form):
    """The coordinator's "weekly sessions for a term" form."""

    first_day = forms.DateField(label=_("First session"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=52,
        help_text=_("Sessions are weekly, on the first session's weekday; skipped days count as weeks."),
    )
    skip = forms.CharField(
        label=_("Days without a session"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Holidays and school breaks, one date per line (YYYY-MM-DD)."),
    )

    def clean_first_day(self):
        day = self.cleaned_data["first_day"]
        today = timezone.localdate()
        if not today - timedelta(days=366) <= day <= today + timedelta(days=2 * 366):
            raise forms.ValidationError(_("Choose a first session within a year before or two years after today."))
        return day

    def clean_skip(self):
        days = set()
        for line in self.cleaned_data["skip"].replace(",", "\n").splitlines():
            if line.strip():
                try:
                    days.add(forms.DateField().clean(line.strip()))
                except forms.ValidationError:
                    raise forms.ValidationError(
                        _("“%(value)s” is not a date: please write dates as YYYY-MM-DD."), params={"value": line}
                    ) from None
        return days

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts") and cleaned.get("ends") and cleaned["ends"] <= cleaned["starts"]:
            self.add_error("ends", _("The session must end after it starts."))
        return cleaned


class AttendanceForm(forms.Form):
    children_present = IdMultipleChoiceField(
        label=_("Children who came"), queryset=Child.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    tutors_present = IdMultipleChoiceField(
        label=_("Tutors who came"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, session, **kwargs):
        from jii.models import VolunteerProfile

        super().__init__(*args, **kwargs)
        self.fields["children_present"].queryset = children_of_session(session)
        absent = set(session.absences.values_list("child_id", flat=True))
        self.fields["children_present"].label_from_instance = lambda child: (
            pgettext("staff", "%(child)s (reported absent)") % {"child": child} if child.pk in absent else str(child)
        )
        self.fields["tutors_present"].queryset = VolunteerProfile.objects.filter(
            tutor_signups__session=session, tutor_signups__withdrawn_at__isnull=True
        ).select_related("user")
        self.fields["tutors_present"].label_from_instance = lambda profile: profile.user.name


class ConsentAgainForm(PlainErrorsMixin, forms.Form):
    consent = forms.BooleanField(label=_("I have read the updated text and agree."))
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AbsenceForm(PlainErrorsMixin, forms.Form):
    """A guardian's report that their child will miss one of the class's coming sessions."""

    session = IdChoiceField(label=_("Session"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=Absence.REASON_LENGTH, required=False)

    def __init__(self, *args, klass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = klass.sessions.upcoming()
        choose = _("Please choose one of the coming sessions.")
        self.fields["session"].error_messages.update(required=choose, invalid_choice=choose)
