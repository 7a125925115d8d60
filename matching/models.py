"""OFP: a resident's application, the proposals and pairs that come of it, and the pair's follow-up."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.choices import HouseholdType
from jii.fields import EncryptedTextField
from jii.models import Area, Language, Resident, VolunteerProfile, agreed_privacy_notice

PAIR_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month_first - date.resolution).day))


class JapaneseLevel(models.TextChoices):
    NONE = "none", _("None yet")
    BASIC = "basic", _("Basic (greetings, shopping)")
    CONVERSATIONAL = "conversational", _("Everyday conversation")
    FLUENT = "fluent", _("Fluent")


class GenderPreference(models.TextChoices):
    ANY = "any", _("No preference")
    FEMALE = "female", _("A woman")
    MALE = "male", _("A man")


class Hope(models.TextChoices):
    JAPANESE = "japanese", _("Practise Japanese")
    CULTURE = "culture", _("Learn culture and customs")
    CHILD_REARING = "child_rearing", _("Advice on raising children")
    PROCEDURES = "procedures", _("Help with procedures and paperwork")
    FRIENDSHIP = "friendship", _("Friendship")


class TimeBand(models.TextChoices):
    WEEKDAY_MORNING = "weekday:morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday:afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday:evening", _("Weekday evenings")
    WEEKEND_MORNING = "weekend:morning", _("Weekend mornings")
    WEEKEND_AFTERNOON = "weekend:afternoon", _("Weekend afternoons")
    WEEKEND_EVENING = "weekend:evening", _("Weekend evenings")


class ApplicationQuerySet(models.QuerySet):
    def waiting(self):
        """Applications a coordinator still has to find a partner for (no open proposal, no pair)."""
        return self.filter(stage__in=[Application.Stage.RECEIVED, Application.Stage.MATCHING])


class Application(models.Model):
    class Stage(models.TextChoices):
        RECEIVED = "received", _("Received")
        MATCHING = "matching", _("Being matched")
        PROPOSED = "proposed", _("Partner proposed")
        ACTIVE = "active", _("Active pair")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="ofp_applications", verbose_name=_("resident")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED)
    household_type = models.CharField(_("household"), max_length=20, choices=HouseholdType.choices)
    adults = models.PositiveSmallIntegerField(_("adults in the household"), default=1)
    children_ages = models.JSONField(_("children's ages"), default=list, blank=True)
    japanese_level = models.CharField(_("Japanese level"), max_length=20, choices=JapaneseLevel.choices)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("city or ward"))
    nearest_station = models.CharField(_("nearest station"), max_length=100)
    availability = models.JSONField(_("availability"), default=list)
    hopes = models.JSONField(_("hopes"), default=list)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    gender_preference = models.CharField(
        _("partner's gender"), max_length=10, choices=GenderPreference.choices, default=GenderPreference.ANY
    )
    message = models.TextField(_("anything else"), blank=True)
    consented_at = models.DateTimeField(_("consent given"))
    privacy_notice = agreed_privacy_notice()
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("OFP application")
        verbose_name_plural = _("OFP applications")
        indexes = [models.Index(fields=["stage", "created_at"])]

    def __str__(self):
        return _("OFP application #%(id)s") % {"id": self.pk}


class MatchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Match.Status.PROPOSED, Match.Status.ACTIVE])


class Match(models.Model):
    """A proposed partner for an application; once both sides accept, the six-month pair itself."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DECLINED = "declined", _("Declined")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")
        CANCELLED = "cancelled", _("Cancelled by a coordinator")

    class Side(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        VOLUNTEER = "volunteer", _("Volunteer")
        COORDINATOR = "coordinator", _("Coordinator")

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Completed six months")
        MOVED = "moved", _("Moved away")
        SCHEDULE = "schedule", _("No time to meet")
        HEALTH = "health", _("Health or family reasons")
        NOT_A_FIT = "not_a_fit", _("Not a good fit")
        NO_CONTACT = "no_contact", _("Lost contact")
        OTHER = "other", _("Other")
        # Reasons that are the volunteer's, not the resident's: the resident may get a new volunteer (a rematch).
        VOLUNTEER_MOVED = "volunteer_moved", pgettext_lazy("staff", "The volunteer moved away")
        VOLUNTEER_STOPPED = "volunteer_stopped", pgettext_lazy("staff", "The volunteer stopped volunteering")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="matches", verbose_name=_("OFP application")
    )
    volunteer = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="ofp_matches", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    score = models.IntegerField(_("score"), default=0)
    breakdown = models.JSONField(_("score breakdown"), default=list, blank=True)
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    resident_accepted_at = models.DateTimeField(_("resident accepted"), null=True, blank=True)
    volunteer_accepted_at = models.DateTimeField(_("volunteer accepted"), null=True, blank=True)
    declined_by = models.CharField(_("declined by"), max_length=20, choices=Side.choices, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("closing note"), blank=True)
    needs_attention = models.BooleanField(_("needs a coordinator"), default=False)
    # A supporting volunteer of a team points to the lead's match; the lead's own match (every pair before
    # teams) has none. A team is one pair: the lead's match carries the application's stage and the surveys.
    lead = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supporters",
        verbose_name=pgettext_lazy("staff", "supporting the pair"),
    )
    # A new volunteer for the same application after a pair that ended early for the volunteer's reason.
    rematch_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rematches",
        verbose_name=pgettext_lazy("staff", "rematch of"),
    )

    objects = MatchQuerySet.as_manager()

    VOLUNTEER_END_REASONS = [EndReason.VOLUNTEER_MOVED, EndReason.VOLUNTEER_STOPPED]

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("OFP pair")
        verbose_name_plural = _("OFP pairs")
        constraints = [
            # One open proposal or pair (its lead) per application, ever: the database has the last word.
            # Supporting volunteers join it up to settings.OFP_TEAM_SUPPORTERS (checked under a lock).
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["proposed", "active"], lead__isnull=True),
                name="one_open_lead_match_per_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self):
        return _("OFP pair #%(id)s") % {"id": self.pk}

    @property
    def is_open(self):
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)

    @property
    def is_supporting(self):
        return self.lead_id is not None

    @property
    def may_be_rematched(self):
        """A lead pair that ended early for the volunteer's reason: the resident may get a new volunteer."""
        return (
            not self.is_supporting
            and self.status == self.Status.ENDED_EARLY
            and self.end_reason in self.VOLUNTEER_END_REASONS
        )

    def open_surveys(self, today: date) -> set[str]:
        """The surveys both sides may answer by `today`: the three-month one once the pair has run three months,
        the closing one once it has ended or been closed (the emails asking for them go out then too).
        A team is surveyed once, on the lead's match."""
        if not self.starts_on or self.is_supporting:
            return set()
        closed = self.status in (self.Status.COMPLETED, self.Status.ENDED_EARLY)
        last_day = self.closed_at.date() if closed and self.closed_at else today
        surveys = set()
        if last_day >= add_months(self.starts_on, PAIR_MONTHS // 2):
            surveys.add("midpoint")
        if closed or today >= self.ends_on:
            surveys.add("closing")
        return surveys

    def month_on(self, day: date) -> int:
        """Which month of the pair a day falls in: 1 for the first, up to the last before its end (the sixth, or
        later once the pair was extended)."""
        end = self.ends_on or add_months(self.starts_on, PAIR_MONTHS)
        month = 1
        while add_months(self.starts_on, month) <= day and add_months(self.starts_on, month) < end:
            month += 1
        return month


class CheckIn(models.Model):
    class How(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")
        MESSAGES = "messages", _("Messages")

    class Mood(models.TextChoices):
        GOOD = "good", _("Going well")
        OKAY = "okay", _("Okay")
        DIFFICULT = "difficult", _("Difficult")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins")
    month = models.PositiveSmallIntegerField(_("month of the pair"))
    met = models.BooleanField(_("met this month"))
    how = models.CharField(_("how"), max_length=20, choices=How.choices, blank=True)
    mood = models.CharField(_("how it is going"), max_length=20, choices=Mood.choices)
    note = models.TextField(_("note"), blank=True)
    concern = EncryptedTextField(_("concern for a coordinator"), blank=True)
    # The volunteer's time with the resident that month, for their hours (jii/hours.py); none on check-ins logged
    # before it was asked.
    minutes_spent = models.PositiveIntegerField(
        pgettext_lazy("volunteer", "time spent (minutes)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        ordering = ["match", "created_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return _("Month %(month)s check-in") % {"month": self.month}


class ResidentCheckIn(models.Model):
    """The resident's own monthly word on the pair, answered from the status page: how it is going and
    anything they need. A worried answer flags the pair for a coordinator."""

    class Feeling(models.TextChoices):
        GOOD = "good", _("Good")
        OKAY = "okay", _("Okay")
        WORRIED = "worried", _("Worried")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="resident_check_ins")
    month = models.PositiveSmallIntegerField(pgettext_lazy("staff", "month of the pair"))
    feeling = models.CharField(pgettext_lazy("staff", "how it is going"), max_length=10, choices=Feeling.choices)
    need = EncryptedTextField(pgettext_lazy("staff", "what the resident needs"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("staff", "answered"), default=timezone.now)

    class Meta:
        ordering = ["match", "month"]
        verbose_name = pgettext_lazy("staff", "resident's check-in")
        verbose_name_plural = pgettext_lazy("staff", "resident's check-ins")
        constraints = [models.UniqueConstraint(fields=["match", "month"], name="one_resident_check_in_per_month")]

    def __str__(self):
        return pgettext_lazy("staff", "Month %(month)s (resident)") % {"month": self.month}


class Extension(models.Model):
    """One side's wish to go on after the six months; a coordinator approves a new end date or declines."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("staff", "Waiting for a coordinator")
        APPROVED = "approved", pgettext_lazy("staff", "Approved")
        DECLINED = "declined", pgettext_lazy("staff", "Declined")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("OFP pair"))
    asked_by = models.CharField(
        pgettext_lazy("staff", "asked by"),
        max_length=20,
        choices=[(side.value, side.label) for side in (Match.Side.RESIDENT, Match.Side.VOLUNTEER)],
    )
    asked_at = models.DateTimeField(pgettext_lazy("staff", "asked"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    new_ends_on = models.DateField(pgettext_lazy("staff", "new end date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("staff", "decided by"),
    )
    decided_at = models.DateTimeField(pgettext_lazy("staff", "decided"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = pgettext_lazy("staff", "extension request")
        verbose_name_plural = pgettext_lazy("staff", "extension requests")
        constraints = [
            # One open request per pair: asking again waits for the coordinator's answer to the first.
            models.UniqueConstraint(fields=["match"], condition=Q(status="open"), name="one_open_extension_per_pair")
        ]

    def __str__(self):
        return pgettext_lazy("staff", "Extension request #%(id)s") % {"id": self.pk}


class Survey(models.Model):
    class Kind(models.TextChoices):
        MIDPOINT = "midpoint", _("Three-month survey")
        CLOSING = "closing", _("Closing survey")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("survey"), max_length=20, choices=Kind.choices)
    respondent = models.CharField(_("answered by"), max_length=20, choices=Match.Side.choices)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["match", "kind", "respondent"], name="one_answer_per_survey_and_side"),
            models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="satisfaction_1_to_5"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_respondent_display()})"


class IntakeRound(models.Model):
    """The best overall assignment of waiting applicants to free volunteers at one moment."""

    created_at = models.DateTimeField(_("computed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("computed by")
    )
    total_score = models.IntegerField(_("total score"), default=0)
    # Why each application got its suggestion or none: {application id: {"breakdown": [...]} or {"reasons":
    # [...]}}. One document for the round: the round is a snapshot, and one value writes far faster than
    # thousands.
    explanations = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intake round")
        verbose_name_plural = _("intake rounds")

    def __str__(self):
        return _("Intake round of %(date)s") % {"date": timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")}


class RoundSuggestion(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        PROPOSED = "proposed", _("Proposed")
        STALE = "stale", _("No longer possible")
        NO_PARTNER = "no_partner", _("No feasible partner")

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="suggestions")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, null=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    score = models.IntegerField(default=0)

    class Meta:
        ordering = ["-score"]

    def __str__(self):
        return f"{self.application} → {self.volunteer or '—'}"
