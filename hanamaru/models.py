"""Hanamaru classes (はなまるクラス): Japanese reading and writing for children with foreign roots. A class meets in
sessions; a guardian enrols children (within the class's capacity, else on its waiting list); approved volunteers
tutor per session (within the tutors needed); coordinators record attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.fields import EncryptedTextField
from jii.models import Area, Language, Resident, VolunteerProfile, agreed_privacy_notice
from jii.translated import TranslatedField


class Level(models.TextChoices):
    FIRST_STEPS = "first_steps", _("First steps (hiragana and katakana)")
    READING = "reading", _("Reading and writing short texts")
    SCHOOLWORK = "schoolwork", _("Schoolwork in Japanese (kanji, homework)")


class AgeBand(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool (4–6)")
    LOWER_PRIMARY = "lower_primary", _("Primary school, grades 1–3")
    UPPER_PRIMARY = "upper_primary", _("Primary school, grades 4–6")
    JUNIOR_HIGH = "junior_high", _("Junior high school")


class ConsentText(models.Model):
    """What guardians agree to. Versioned: publishing a new version asks every guardian to agree again."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text = TranslatedField(_("text"), multiline=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return _("Consent, version %(version)s") % {"version": self.version}


class Class(models.Model):
    name = TranslatedField(_("name"), max_length=150)
    # Shown in the reader's language with the Japanese beside it, for a taxi driver or a passer-by. Only the
    # Japanese is required: venues were written in Japanese only, and editing a class must not wait on a translation.
    venue = TranslatedField(_("venue"), max_length=150, required_languages=[settings.LANGUAGE_CODE])
    address = TranslatedField(_("address"), max_length=300, required_languages=[settings.LANGUAGE_CODE])
    access_notes = TranslatedField(_("access notes"), multiline=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("city or ward"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    age_band = models.CharField(_("ages"), max_length=20, choices=AgeBand.choices)
    capacity = models.PositiveSmallIntegerField(_("places for children"))
    tutors_needed = models.PositiveSmallIntegerField(_("tutors needed per session"))
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name=_("coordinator"),
    )
    is_open = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        ordering = [KT("name__ja")]  # by the Japanese name
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="class_has_places"),
            models.CheckConstraint(condition=Q(tutors_needed__gte=1), name="class_needs_tutors"),
        ]

    def __str__(self):
        return str(self.name)


class SessionQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()).order_by("starts_at")


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("class"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Counts moves and cancellation: each change is told to everyone once, even a move back to an earlier time.
    changes = models.PositiveIntegerField(default=0, editable=False)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    attendance_note = models.TextField(_("note"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["klass", "starts_at"], name="one_session_per_class_and_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.klass} {start:%Y-%m-%d %H:%M}"

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Child(models.Model):
    """A child enrolled by a guardian. Tutors see the first name and level only; everything else is for
    coordinators."""

    class JapaneseLevel(models.TextChoices):
        NONE = "none", _("No Japanese yet")
        SPEAKS = "speaks", _("Speaks some, cannot read yet")
        KANA = "kana", _("Reads hiragana and katakana")
        SOME_KANJI = "some_kanji", _("Reads some kanji")

    guardian = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="children", verbose_name=_("guardian")
    )
    first_name = models.CharField(_("first name"), max_length=60)
    family_name = models.CharField(_("family name"), max_length=60)
    age = models.PositiveSmallIntegerField(pgettext_lazy("how old a child is", "age"))
    school = models.CharField(_("school and grade"), max_length=150, blank=True)
    home_languages = models.ManyToManyField(Language, related_name="+", verbose_name=_("languages at home"))
    japanese_level = models.CharField(_("Japanese"), max_length=20, choices=JapaneseLevel.choices)
    needs = EncryptedTextField(_("allergies or needs"), blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["family_name", "first_name"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self):
        return f"{self.family_name} {self.first_name}"


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Offered a place")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined the place")
        EXPIRED = "expired", _("No answer to the offer")

    ACTIVE = [Status.ENROLLED, Status.WAITING, Status.OFFERED]
    # An offered place is held until the guardian answers: it counts against the class's capacity.
    HOLDING_PLACE = [Status.ENROLLED, Status.OFFERED]

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("child"))
    klass = models.ForeignKey(Class, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    consent = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="enrolments_agreed", verbose_name=_("consent")
    )
    consented_at = models.DateTimeField(_("consent given"))
    privacy_notice = agreed_privacy_notice()
    created_at = models.DateTimeField(_("asked"), default=timezone.now)  # the waiting list's order
    offered_until = models.DateTimeField(_("answer the offer by"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("place given"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)  # or declined, or the offer expired

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [models.Index(fields=["klass", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "klass"],
                condition=Q(status__in=["enrolled", "waiting", "offered"]),
                name="one_active_enrolment",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offered_until__isnull=False), name="offer_has_a_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.child} — {self.klass}"


class TutorSignup(models.Model):
    """A volunteer tutoring one session. Withdrawn sign-ups stay for the record."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups", verbose_name=_("session"))
    volunteer = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="tutor_signups", verbose_name=_("volunteer")
    )
    signed_up_at = models.DateTimeField(_("signed up"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    attended = models.BooleanField(_("came"), null=True, blank=True)

    class Meta:
        ordering = ["signed_up_at"]
        verbose_name = _("tutor sign-up")
        verbose_name_plural = _("tutor sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "volunteer"], condition=Q(withdrawn_at__isnull=True), name="one_signup_per_tutor"
            )
        ]

    def __str__(self):
        return f"{self.volunteer} — {self.session}"


class Attendance(models.Model):
    """Whether an enrolled child came to a held session: one row per enrolled child, so the rate has its
    denominator."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("came"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "child"], name="attendance_once_per_child")]

    def __str__(self):
        return f"{self.child} — {self.session}"


class Absence(models.Model):
    """A guardian's word that a child will miss an upcoming session, for its tutors and the attendance form."""

    REASON_LENGTH = 200

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="absences", verbose_name=_("session"))
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="absences", verbose_name=_("child"))
    reason = EncryptedTextField(_("reason"), blank=True)  # the guardian's words about their child
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        ordering = ["reported_at"]
        verbose_name = _("reported absence")
        verbose_name_plural = _("reported absences")
        constraints = [models.UniqueConstraint(fields=["session", "child"], name="one_absence_per_child_and_session")]

    def __str__(self):
        return f"{self.child} — {self.session}"
