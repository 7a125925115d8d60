"""Kurashi consultations (くらしの相談): residents' harder problems taken on with partner experts. A case's own
words and its notes are confidential: only consultation staff and the case's expert read them, and every read of
the notes is logged."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.fields import EncryptedTextField, LanguageField
from jii.models import Language, Resident, agreed_privacy_notice


class Topic(models.TextChoices):
    RESIDENCE = "residence", _("Residence status and visa")
    WORK = "work", _("Labour and work")
    HOUSING = "housing", _("Housing")
    FAMILY = "family", _("Family and divorce")
    MEDICAL = "medical", _("Medical care and welfare")
    MONEY = "money", _("Money and debt")
    EDUCATION = "education", _("Education")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online (video)")


class Expert(models.Model):
    """A partner expert: a contact with specialities, languages and weekly hours; a login is optional. An
    interpreter is an expert of the kind "interpreter": booked beside an expert for a case that needs one, in one
    of the languages they speak, within their own weekly hours and days off."""

    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer (弁護士)")
        SCRIVENER = "scrivener", _("Administrative scrivener (行政書士)")
        LABOUR = "labour", _("Labour and social security attorney (社会保険労務士)")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        DOCTOR = "doctor", _("Doctor")
        COUNSELLOR = "counsellor", _("Counsellor")
        INTERPRETER = "interpreter", pgettext_lazy("staff", "Interpreter")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("profession"), max_length=20, choices=Kind.choices)
    organisation = models.CharField(_("office"), max_length=150, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = LanguageField()
    languages = models.ManyToManyField(Language, related_name="+", verbose_name=_("languages"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert",
        verbose_name=_("login (optional)"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class Speciality(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="specialities")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)

    class Meta:
        verbose_name = _("speciality")
        verbose_name_plural = _("specialities")
        constraints = [models.UniqueConstraint(fields=["expert", "topic"], name="speciality_once")]

    def __str__(self):
        return self.get_topic_display()


class WeeklyHours(models.Model):
    """When an expert takes appointments, e.g. Tuesdays 13:00–17:00 (Tokyo time)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="hours_end_after_start")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class DayOff(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="days_off")
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [models.UniqueConstraint(fields=["expert", "day"], name="day_off_once")]

    def __str__(self):
        return str(self.day)


class Room(models.Model):
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name


class ConsultationQuerySet(models.QuerySet):
    def for_expert(self, expert):
        """The cases an expert works on: assigned to them, or with a booked appointment with them."""
        booked = Q(appointments__expert=expert, appointments__status="booked")
        return self.filter(Q(expert=expert) | booked).distinct()


class Consultation(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New: waiting for triage")
        ACCEPTED = "accepted", _("Accepted")
        REDIRECTED = "redirected", _("Passed to Spot Otonari-san")
        CLOSED = "closed", _("Closed")

    class Urgency(models.IntegerChoices):
        WHEN_POSSIBLE = 1, _("When possible")
        SOON = 2, _("Within two weeks")
        URGENT = 3, _("Urgent (a deadline soon)")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        PARTLY = "partly", _("Partly resolved")
        REFERRED = "referred", _("Referred to another service")
        NOT_RESOLVED = "not_resolved", _("Could not be resolved")
        WITHDRAWN = "withdrawn", _("Withdrawn by the resident")

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("resident")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    description = EncryptedTextField(_("the resident's own words"))  # confidential
    languages = models.ManyToManyField(Language, related_name="+", verbose_name=_("languages"))
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    # Set by staff when it is not simply one of the resident's languages (then any of those will do).
    interpreter_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("staff", "interpreting language"),
    )
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.WHEN_POSSIBLE)
    preferred_times = models.CharField(_("preferred times"), max_length=300, blank=True)
    modes = models.JSONField(_("how"), default=list)
    consented_at = models.DateTimeField(_("consent given"))
    privacy_notice = agreed_privacy_notice()
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("expert")
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    spot_request_id = models.PositiveIntegerField(_("Spot request"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_summary = EncryptedTextField(_("outcome summary"), blank=True)  # confidential
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when the resident asked for another time from their status page, until staff book one.
    new_time_asked_at = models.DateTimeField(
        pgettext_lazy("staff", "resident asked for another time"), null=True, blank=True, editable=False
    )
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("view_confidential", "Can read a case's own words, outcome summary and notes")]

    def __str__(self):
        return _("Consultation #%(id)s") % {"id": self.pk}

    def interpreters(self):
        """Active interpreters speaking the case's interpreting language, or else one of the resident's languages
        other than the site's own (the one the experts work in)."""
        if self.interpreter_language_id:
            speaks = Q(languages=self.interpreter_language_id)
        else:
            speaks = Q(languages__in=self.languages.exclude(code=settings.LANGUAGE_CODE))
        return Expert.objects.filter(speaks, kind=Expert.Kind.INTERPRETER, is_active=True).distinct()

    def mode_labels(self):
        return ", ".join(str(Mode(mode).label) for mode in self.modes if mode in Mode.values)


class CaseNote(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self):
        return _("Note of %(when)s") % {"when": timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")}


class NoteRead(models.Model):
    """Who read a case's notes, and when: written each time the notes are shown."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="note_reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read"), default=timezone.now)
    notes = models.PositiveIntegerField(_("notes shown"))

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("read of the notes")
        verbose_name_plural = _("reads of the notes")

    def __str__(self):
        return f"{self.reader} {self.read_at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """An expert's time for a case, with an interpreter when the case needs one. On PostgreSQL exclusion
    constraints (migrations 0002 and 0007) refuse any overlap of one expert's, one interpreter's or one room's
    booked appointments. A new time is a new appointment (the old one cancelled)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="appointments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("expert"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("room")
    )
    interpreter = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interpreted",
        verbose_name=pgettext_lazy("staff", "interpreter"),
    )
    mode = models.CharField(_("how"), max_length=20, choices=Mode.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("booked"), default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start")
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.expert.name}"

    def resident_may_change(self, changes_made: int) -> bool:
        """Whether the resident may still cancel it or ask for another time themselves: booked, further away than
        CONSULTATION_CHANGE_HOURS, and fewer than CONSULTATION_CHANGES_ALLOWED changes made on the case."""
        limit = timezone.now() + timedelta(hours=settings.CONSULTATION_CHANGE_HOURS)
        return (
            self.status == self.Status.BOOKED
            and self.starts_at > limit
            and changes_made < settings.CONSULTATION_CHANGES_ALLOWED
        )


class AppointmentChange(models.Model):
    """A change the resident made to an appointment from their status page, kept to count them against the limit
    (django-appointment's reschedule history is the model)."""

    class Kind(models.TextChoices):
        CANCELLED = "cancelled", pgettext_lazy("staff", "Cancelled by the resident")
        ANOTHER_TIME = "another_time", pgettext_lazy("staff", "Resident asked for another time")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(pgettext_lazy("staff", "change"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(pgettext_lazy("staff", "when"), default=timezone.now)
    by_resident = models.BooleanField(pgettext_lazy("staff", "by the resident"), default=True)
    note = EncryptedTextField(pgettext_lazy("staff", "the resident's note"), blank=True)  # confidential

    class Meta:
        ordering = ["at"]
        verbose_name = pgettext_lazy("staff", "appointment change")
        verbose_name_plural = pgettext_lazy("staff", "appointment changes")

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
