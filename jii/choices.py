"""Vocabularies shared by every program: areas, households, help categories, availability."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Prefecture(models.TextChoices):
    # JII's programs run in these four prefectures today; the list grows as JII goes nationwide.
    TOKYO = "tokyo", _("Tokyo")
    KANAGAWA = "kanagawa", _("Kanagawa")
    CHIBA = "chiba", _("Chiba")
    SAITAMA = "saitama", _("Saitama")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender / prefer not to say")


class HouseholdType(models.TextChoices):
    FAMILY = "family", _("Family raising children")
    SINGLE_WORKER = "single_worker", _("Working, living without family")
    STUDENT = "student", _("Student (including Japanese language school)")
    REFUGEE = "refugee", _("Refugee or displaced person")
    OTHER = "other", _("Other")


class SpotCategory(models.TextChoices):
    # Spot Otonari-san helps only in these four areas.
    WELFARE = "welfare", _("Welfare")
    CHILDREN = "children", _("Child-rearing and education")
    HEALTHCARE = "healthcare", _("Healthcare")
    INFRASTRUCTURE = "infrastructure", _("Living infrastructure (utilities, phone, housing)")


class LanguageLevel(models.TextChoices):
    NATIVE = "native", _("Native")
    FLUENT = "fluent", _("Fluent")
    CONVERSATIONAL = "conversational", _("Conversational")
    BASIC = "basic", _("Basic")


class Experience(models.TextChoices):
    RAISING_CHILDREN = "raising_children", _("Raising children")
    LIVING_ABROAD = "living_abroad", _("Living abroad")
    TEACHING_JAPANESE = "teaching_japanese", _("Teaching Japanese")
    SUPPORTING_REFUGEES = "supporting_refugees", _("Supporting refugees")
    CAREGIVING = "caregiving", _("Caregiving or nursing")
    INTERPRETING = "interpreting", _("Interpreting or translation")


class Interest(models.TextChoices):
    COOKING = "cooking", _("Cooking and food")
    FILMS = "films", _("Films and drama")
    MUSIC = "music", _("Music")
    SPORTS = "sports", _("Sports and walking")
    TRAVEL = "travel", _("Travel")
    SEASONAL_EVENTS = "seasonal_events", _("Seasonal events and festivals")
    READING = "reading", _("Reading")
    GARDENING = "gardening", _("Gardening")


class Weekday(models.TextChoices):
    MON = "mon", _("Monday")
    TUE = "tue", _("Tuesday")
    WED = "wed", _("Wednesday")
    THU = "thu", _("Thursday")
    FRI = "fri", _("Friday")
    SAT = "sat", _("Saturday")
    SUN = "sun", _("Sunday")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


def availability_slots():
    """Every weekday × time-of-day slot as (code, label), e.g. ("sat:morning", "Saturday morning")."""
    return [
        (
            f"{day.value}:{time.value}",
            _("%(day)s %(time)s") % {"day": day.label, "time": time.label},
        )
        for day in Weekday
        for time in TimeOfDay
    ]
