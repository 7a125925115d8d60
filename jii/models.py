"""The shared core every program uses: accounts, languages, residents and volunteers."""

import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jii.choices import Gender, HouseholdType, LanguageLevel, Prefecture
from jii.fields import LanguageField, without_bidi_controls
from jii.languages import current_language, reads_japanese
from jii.translated import TranslatedField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account: a volunteer or a coordinator. Email is the login."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    # For residents who cannot read Japanese script: "Haruka" beside "春香".
    given_name_latin = models.CharField(_("given name in Latin letters"), max_length=60, blank=True)
    language = LanguageField()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return without_bidi_controls(self.name) or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        """The given name only, for a resident who has not met this volunteer yet: "春香" from "佐藤 春香"
        (family name first), "Emily" from "Emily Johnson". A name written without a space cannot be split
        safely, so then it is just "Otonari-san" — never the full name."""
        parts = self.name.split()
        if len(parts) < 2:
            return gettext("Otonari-san")
        family_name_first = any(ord(char) > 0x3000 for char in self.name)
        return parts[-1] if family_name_first else parts[0]

    def given_name_for_reader(self) -> str:
        """The given name as the reader of this page or email can read it: as written for a Japanese reader,
        otherwise the Latin letters first with the Japanese beside them, "Haruka (春香)"."""
        given = self.get_short_name()
        if not self.given_name_latin or reads_japanese(current_language()) or given == self.given_name_latin:
            return given
        return f"{self.given_name_latin} ({given})"

    def name_for_reader(self) -> str:
        """The full name as the reader can read it: "Haruka (佐藤 春香)" for one who does not read Japanese."""
        if not self.given_name_latin or reads_japanese(current_language()) or self.name.isascii():
            return self.name
        return f"{self.given_name_latin} ({self.name})"


class Language(models.Model):
    """A language a resident speaks or a volunteer can help in, keyed by its ISO 639-1 code."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = TranslatedField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return str(self.name)


class Area(models.Model):
    """A city or ward JII serves, with the approximate position of its centre: matching measures distance
    between areas, so nobody has to give a street address."""

    code = models.SlugField(_("code"), unique=True)
    prefecture = models.CharField(_("prefecture"), max_length=20, choices=Prefecture.choices)
    name = TranslatedField(_("name"), max_length=50)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        ordering = ["prefecture", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return str(self.name)

    def distance_km(self, other: "Area") -> float:
        """Between the two centres, on a sphere the size of the Earth (haversine formula)."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.latitude, self.longitude, other.latitude, other.longitude))
        a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def area_choices():
    """Areas grouped by prefecture, for a select with one optgroup per prefecture (one query)."""
    groups = {}
    for area in Area.objects.all():
        groups.setdefault(area.get_prefecture_display(), []).append((area.pk, str(area)))
    return [("", "---------"), *groups.items()]


EARTH_RADIUS_KM = 6371.0


def new_status_key():
    return secrets.token_urlsafe(24)


class Resident(models.Model):
    """A foreign resident: one record per person, found again by email (else by phone number), shared by every
    program. Some have no email: coordinators enter them with a phone number, and they follow their status by
    the printed link or on LINE."""

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("preferred languages"), blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=20, choices=Prefecture.choices)
    municipality = models.CharField(_("city, ward or town"), max_length=100)
    household_type = models.CharField(_("household"), max_length=20, choices=HouseholdType.choices)
    language = LanguageField()
    # The secret behind the resident's private status link; rotating it revokes every link sent so far.
    status_key = models.CharField(max_length=64, unique=True, default=new_status_key, editable=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # Without it, staff see only the residents of their own program (jii.admin.add_resident_scope).
        permissions = [("view_every_resident", pgettext_lazy("staff", "Can see every resident"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="resident_email_unique_ci"),
            models.CheckConstraint(
                condition=~models.Q(email="", phone="") | models.Q(anonymised_at__isnull=False),
                name="resident_email_or_phone",
            ),
        ]

    def __str__(self):
        return without_bidi_controls(self.name)


class PublishedTextQuerySet(models.QuerySet):
    def current(self):
        """The version in force: the newest published (None before the first)."""
        return self.filter(published_at__lte=timezone.now()).order_by("-version").first()


class PublishedText(models.Model):
    """A text JII publishes and never edits: a change is a new, dated version, and the old ones stay, because
    what people agreed to points at the version they read."""

    version = models.PositiveIntegerField(pgettext_lazy("staff", "version"), unique=True)
    text = TranslatedField(pgettext_lazy("staff", "text"), multiline=True)
    published_at = models.DateTimeField(pgettext_lazy("staff", "published"), default=timezone.now)

    objects = PublishedTextQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-version"]
        get_latest_by = "version"


class ConfidentialityPledge(PublishedText):
    """What a volunteer promises before a coordinator may approve them: what they see of residents stays
    private, and no photos or contacts are kept after the help ends. Volunteers are asked to agree to each new
    version."""

    class Meta(PublishedText.Meta):
        verbose_name = pgettext_lazy("staff", "confidentiality pledge")
        verbose_name_plural = pgettext_lazy("staff", "confidentiality pledges")

    def __str__(self):
        return pgettext("staff", "Confidentiality pledge, version %(version)s") % {"version": self.version}


class VolunteerProfileQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=VolunteerProfile.Status.APPROVED)

    def ready(self, today=None):
        """Approved volunteers who may help today: not paused, oriented, insured for this insurance year and
        agreed to the pledge in force (jii/readiness.py)."""
        from jii.readiness import readiness_checks

        checks = readiness_checks(today)
        return self.approved().annotate(**checks.annotations).filter(checks.all_met)


class VolunteerProfile(models.Model):
    """What a volunteer tells JII about themselves; a coordinator approves it before any resident data shows."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", pgettext_lazy("volunteer", "No longer volunteering")

    class StatusReason(models.TextChoices):
        # Why a coordinator suspended a volunteer…
        CONCERN = "concern", pgettext_lazy("volunteer", "a concern is being looked into")
        DOCUMENTS = "documents", pgettext_lazy("volunteer", "a document or training is missing")
        ON_LEAVE = "on_leave", pgettext_lazy("volunteer", "a break agreed with JII")
        # …or archived one who left.
        MOVED = "moved", pgettext_lazy("volunteer", "moved away")
        STOPPED = "stopped", pgettext_lazy("volunteer", "stopped volunteering")
        OTHER = "other", pgettext_lazy("volunteer", "another reason")

    class SpotAlerts(models.TextChoices):
        EVERY = "every", pgettext_lazy("volunteer", "Tell me about each new request that fits me")
        DIGEST = "digest", pgettext_lazy("volunteer", "Once a day, a list of the requests that fit me")
        NONE = "none", pgettext_lazy("volunteer", "No alerts: I look at the board myself")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="volunteer_profile", verbose_name=_("account")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, verbose_name=_("city or ward"), help_text=_("Choose the nearest one.")
    )
    nearest_station = models.CharField(_("nearest station"), max_length=100)
    # Slots such as "sat:morning"; see jii.choices.availability_slots.
    availability = models.JSONField(_("availability"), default=list, blank=True)
    experience = models.JSONField(_("experience"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    spot_categories = models.JSONField(_("Spot help categories"), default=list, blank=True)
    spot_alerts = models.CharField(
        pgettext_lazy("volunteer", "Alerts about new Spot requests"),
        max_length=10,
        choices=SpotAlerts.choices,
        default=SpotAlerts.EVERY,
    )
    # Alerts that fall in this window (Tokyo time; it may run past midnight) wait until it ends.
    quiet_from = models.TimeField(pgettext_lazy("volunteer", "No alerts from"), null=True, blank=True)
    quiet_until = models.TimeField(pgettext_lazy("volunteer", "until"), null=True, blank=True)
    about = models.TextField(_("about me"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    pledge = models.ForeignKey(
        ConfidentialityPledge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=pgettext_lazy("staff", "confidentiality pledge agreed to"),
    )
    pledged_at = models.DateTimeField(pgettext_lazy("staff", "pledge agreed"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    # Suspended or archived: why, a note for coordinators only, and (suspended) the day it ends by itself.
    status_reason = models.CharField(
        pgettext_lazy("staff", "reason"), max_length=12, choices=StatusReason.choices, blank=True, editable=False
    )
    status_note = models.TextField(pgettext_lazy("staff", "note for coordinators"), blank=True, editable=False)
    suspended_until = models.DateField(pgettext_lazy("staff", "suspended until"), null=True, blank=True, editable=False)
    # The volunteer's own pause: no alerts, not offered, until they resume.
    paused_at = models.DateTimeField(pgettext_lazy("staff", "paused by the volunteer"), null=True, blank=True)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    objects = VolunteerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        permissions = [
            ("approve_volunteer", _("Can approve volunteers")),
            ("change_volunteer_standing", pgettext_lazy("staff", "Can suspend, archive and reinstate volunteers")),
        ]

    def __str__(self):
        return str(self.user)

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def quiet_ends_at(self, now: datetime) -> datetime | None:
        """When the volunteer's quiet hours end, if `now` falls in them; None when alerts may go now."""
        if self.quiet_from is None or self.quiet_until is None:
            return None
        local = timezone.localtime(now)
        clock, start, end = local.time(), self.quiet_from, self.quiet_until
        if start <= end and not (start <= clock < end) or start > end and end <= clock < start:
            return None
        day = local.date() + timedelta(days=1 if start > end and clock >= start else 0)
        return timezone.make_aware(datetime.combine(day, end))


class CoordinatorRecord(models.Model):
    """Something a coordinator records about a volunteer from JII's papers, and who recorded it."""

    volunteer = models.ForeignKey(
        VolunteerProfile, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("volunteer")
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, editable=False, related_name="+")
    recorded_at = models.DateTimeField(pgettext_lazy("staff", "recorded"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Orientation(CoordinatorRecord):
    """A volunteer attended one of JII's orientation sessions: needed before helping."""

    attended_on = models.DateField(pgettext_lazy("staff", "attended on"))
    session = models.CharField(
        pgettext_lazy("staff", "session"), max_length=100, help_text=pgettext_lazy("staff", "e.g. Online, evening")
    )

    class Meta:
        ordering = ["-attended_on"]
        verbose_name = pgettext_lazy("staff", "orientation")
        verbose_name_plural = pgettext_lazy("staff", "orientations")

    def __str__(self):
        return f"{self.attended_on:%Y-%m-%d} {self.session}"


class Insurance(CoordinatorRecord):
    """The volunteer activity insurance (ボランティア活動保険) a volunteer holds for one insurance year, which runs
    from April to March and is named by the year it starts in (jii/readiness.py)."""

    year = models.PositiveSmallIntegerField(
        pgettext_lazy("staff", "insurance year"),
        help_text=pgettext_lazy("staff", "The year it starts in: 2026 for April 2026 to March 2027."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = pgettext_lazy("staff", "volunteer insurance")
        verbose_name_plural = pgettext_lazy("staff", "volunteer insurance")
        constraints = [models.UniqueConstraint(fields=["volunteer", "year"], name="insurance_once_a_year")]

    def __str__(self):
        return pgettext("staff", "April %(year)s to March %(next)s") % {"year": self.year, "next": self.year + 1}


class VolunteerLanguage(models.Model):
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, verbose_name=_("language"))
    level = models.CharField(_("level"), max_length=20, choices=LanguageLevel.choices)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [models.UniqueConstraint(fields=["volunteer", "language"], name="volunteer_language_once")]

    def __str__(self):
        return f"{self.language} ({self.get_level_display()})"


class Message(models.Model):
    """One message to one person, written in the same transaction as the change that causes it and delivered
    afterwards by jii.tasks.deliver_message (jii/outbox.py). Its `once_key` makes every message happen once: a
    service or a daily job that asks for it again finds the row and writes nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("staff", "waiting to be sent")
        SENT = "sent", pgettext_lazy("staff", "sent")
        FAILED = "failed", pgettext_lazy("staff", "failed")
        OBSOLETE = "obsolete", pgettext_lazy("staff", "no longer needed")

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("staff", "email")
        LINE = "line", "LINE"

    # The kind of message: templates/emails/<template>_subject.txt … and its builder in jii/outbox.py.
    template = models.CharField(pgettext_lazy("staff", "message"), max_length=60)
    once_key = models.CharField(max_length=200, unique=True, editable=False)
    # The recipient: a resident, a user (volunteer, expert, coordinator), or an address that is neither (a donor,
    # a shared inbox).
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=pgettext_lazy("staff", "resident"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=pgettext_lazy("staff", "user"),
    )
    address = models.EmailField(pgettext_lazy("staff", "address"), blank=True)
    language = LanguageField(verbose_name=pgettext_lazy("staff", "language"))
    # What the builder needs, by id only: {"request": 12}. Never names or words.
    ids = models.JSONField(default=dict, blank=True, editable=False)
    channel = models.CharField(pgettext_lazy("staff", "sent by"), max_length=10, choices=Channel.choices, blank=True)
    state = models.CharField(
        pgettext_lazy("staff", "state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("staff", "attempts"), default=0)
    last_error = models.TextField(pgettext_lazy("staff", "last error"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("staff", "queued"), default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(pgettext_lazy("staff", "next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(pgettext_lazy("staff", "sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = pgettext_lazy("staff", "message")
        verbose_name_plural = pgettext_lazy("staff", "messages")
        permissions = [("send_message_again", pgettext_lazy("staff", "Can send a failed message again"))]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="queued"), name="message_waiting_idx"),
        ]

    def __str__(self):
        return f"{self.template} #{self.pk}"


class GroupMessage(models.Model):
    """One message a coordinator wrote to a group of volunteers (jii/audiences.py), kept as the log of who sent
    what to how many. Each recipient's copy is a Message in the outbox; its builder reads the words from here."""

    # The preview's token: sending the same preview twice (a double click, two tabs) finds this row.
    token = models.UUIDField(unique=True, editable=False)
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=pgettext_lazy("staff", "sender")
    )
    sent_at = models.DateTimeField(pgettext_lazy("staff", "sent on"), default=timezone.now, editable=False)
    # The group as chosen (the kind registered in jii/audiences.py and its value, e.g. "area" and an area's id)…
    audience = models.CharField(pgettext_lazy("staff", "kind of group"), max_length=30, editable=False)
    audience_value = models.CharField(pgettext_lazy("staff", "group"), max_length=60, blank=True, editable=False)
    # …and as the coordinator read it then ("Tutors of a class: Hanamaru class Meguro").
    description = models.CharField(pgettext_lazy("staff", "to"), max_length=300, editable=False)
    # In the site's language, and optionally others: each reader gets theirs, or the nearest written.
    subject = TranslatedField(
        pgettext_lazy("staff", "subject"), max_length=200, required_languages=[settings.LANGUAGE_CODE]
    )
    body = TranslatedField(
        pgettext_lazy("staff", "message"), multiline=True, required_languages=[settings.LANGUAGE_CODE]
    )
    recipients = models.PositiveIntegerField(pgettext_lazy("staff", "recipients"), editable=False)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = pgettext_lazy("staff", "message to volunteers")
        verbose_name_plural = pgettext_lazy("staff", "messages to volunteers")
        permissions = [("message_volunteers", pgettext_lazy("staff", "Can write to a group of volunteers"))]

    def __str__(self):
        return pgettext("staff", "Message to volunteers #%(number)s") % {"number": self.pk}


class UndeliverableAddress(models.Model):
    """An email address the provider reported as bouncing or as marking our mail as spam: the outbox no longer
    writes to it (writing on would harm JII's sending reputation). Coordinators see it on the person's page and
    delete it once the address is corrected or the person asks again."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", pgettext_lazy("staff", "bounced")
        COMPLAINED = "complained", pgettext_lazy("staff", "marked as spam")
        REJECTED = "rejected", pgettext_lazy("staff", "refused by the provider")

    address = models.EmailField(pgettext_lazy("staff", "address"), unique=True)  # lower case
    reason = models.CharField(pgettext_lazy("staff", "reason"), max_length=12, choices=Reason.choices)
    detail = models.TextField(pgettext_lazy("staff", "provider's description"), blank=True)
    reported_at = models.DateTimeField(pgettext_lazy("staff", "reported"), default=timezone.now)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = pgettext_lazy("staff", "undeliverable address")
        verbose_name_plural = pgettext_lazy("staff", "undeliverable addresses")

    def __str__(self):
        return self.address


class FailedSignIn(models.Model):
    """A wrong password given for an account: the account holder is told at their next sign-in, so that someone
    guessing a coordinator's password does not go unnoticed. Kept for 90 days."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="failed_sign_ins")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class LineLink(models.Model):
    """A LINE account that gets a person's messages instead of email. Linked when the person sends the one-time
    code from their status page (or volunteer page) to JII's official account; gone when they stop or unfollow."""

    line_user_id = models.CharField(max_length=64, unique=True)
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="line_link")
    user = models.OneToOneField(User, on_delete=models.CASCADE, null=True, blank=True, related_name="line_link")
    linked_at = models.DateTimeField(pgettext_lazy("staff", "linked"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("staff", "LINE link")
        verbose_name_plural = pgettext_lazy("staff", "LINE links")

    def __str__(self):
        return f"LINE #{self.pk}"


class LineLinkCode(models.Model):
    """The short code a person sends to JII's LINE account to link it: one at a time per person, for a while."""

    code = models.CharField(max_length=12, unique=True)
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.OneToOneField(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField()

    def __str__(self):
        return self.code


class AssistedIntake(models.Model):
    """A form a coordinator filled in for a resident who phoned or came in: who took it, when, how the resident
    agreed to JII's use of their information, and the words of the consent text that was read to them."""

    class Agreed(models.TextChoices):
        BY_PHONE = "phone", pgettext_lazy("staff", "by phone")
        IN_PERSON = "in_person", pgettext_lazy("staff", "in person")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="assisted_intakes")
    program = models.CharField(pgettext_lazy("staff", "program"), max_length=20)
    taken_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("staff", "taken by")
    )
    taken_at = models.DateTimeField(pgettext_lazy("staff", "taken"), default=timezone.now)
    agreed = models.CharField(pgettext_lazy("staff", "agreed"), max_length=10, choices=Agreed.choices)
    consent_text = models.TextField(pgettext_lazy("staff", "consent text read to them"))
    consent_language = models.CharField(pgettext_lazy("staff", "read in"), max_length=16)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = pgettext_lazy("staff", "assisted intake")
        verbose_name_plural = pgettext_lazy("staff", "assisted intakes")

    def __str__(self):
        return f"{self.program} #{self.pk}"


class PrivacyNotice(PublishedText):
    """JII's privacy notice (APPI 公表事項) as staff write it: who JII is, who sees what, how to reach us. Every
    consent records the version in force when it was given. /privacy/ shows it with the purposes and the
    retention table from the code."""

    class Meta(PublishedText.Meta):
        verbose_name = pgettext_lazy("staff", "privacy notice")
        verbose_name_plural = pgettext_lazy("staff", "privacy notices")

    def __str__(self):
        return pgettext("staff", "Privacy notice, version %(version)s") % {"version": self.version}


def agreed_privacy_notice():
    """The field beside a consent: the version of the privacy notice in force when it was given (None before
    versions were kept)."""
    return models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=pgettext_lazy("staff", "privacy notice agreed to"),
    )


def in_fourteen_days():
    return timezone.now() + timedelta(days=14)


class DataRequest(models.Model):
    """A person's request to have everything JII holds about them erased (a resident from their status page, a
    volunteer closing their account). Coordinators with the privacy permission carry it out in the admin, in one
    step, by the deadline (APPI asks for "without delay"; JII promises 14 days)."""

    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=pgettext_lazy("staff", "resident"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=pgettext_lazy("staff", "volunteer"),
    )
    requested_at = models.DateTimeField(pgettext_lazy("staff", "asked"), default=timezone.now, editable=False)
    deadline = models.DateTimeField(pgettext_lazy("staff", "deadline"), default=in_fourteen_days)
    done_at = models.DateTimeField(pgettext_lazy("staff", "erased"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=pgettext_lazy("staff", "erased by"),
    )

    class Meta:
        ordering = ["done_at", "deadline"]
        verbose_name = pgettext_lazy("staff", "erasure request")
        verbose_name_plural = pgettext_lazy("staff", "erasure requests")
        permissions = [("erase_personal_data", pgettext_lazy("staff", "Can erase a person's data"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False, user=None) | models.Q(resident=None, user__isnull=False),
                name="data_request_for_one_person",
            ),
            # One open request per person: asking twice finds the first.
            models.UniqueConstraint(
                fields=["resident"], condition=models.Q(done_at=None), name="one_open_per_resident"
            ),
            models.UniqueConstraint(fields=["user"], condition=models.Q(done_at=None), name="one_open_per_user"),
        ]

    def __str__(self):
        return pgettext("staff", "Erasure request #%(number)s") % {"number": self.pk}


class CertificateCounter(models.Model):
    """The last certificate number of a calendar year, locked while the next is taken (as receipts' counter)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Certificate(models.Model):
    """A volunteer certificate (ボランティア活動証明書) as issued: its number, the period and the hours per program
    at the time, so that staff can check a number later. The PDF is drawn again from this row when asked."""

    number = models.CharField(pgettext_lazy("staff", "number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(pgettext_lazy("staff", "year"), editable=False)
    sequence = models.PositiveIntegerField(pgettext_lazy("staff", "number in the year"), editable=False)
    volunteer = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=pgettext_lazy("staff", "volunteer"),
    )
    starts_on = models.DateField(pgettext_lazy("staff", "from"))
    ends_on = models.DateField(pgettext_lazy("staff", "to"))
    language = models.CharField(pgettext_lazy("staff", "language"), max_length=16)
    # [{"program": "spot", "minutes": 75}, …] in the order of the programs (jii/hours.py).
    hours = models.JSONField(pgettext_lazy("staff", "minutes per program"), default=list)
    issued_at = models.DateTimeField(pgettext_lazy("staff", "issued"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = pgettext_lazy("staff", "volunteer certificate")
        verbose_name_plural = pgettext_lazy("staff", "volunteer certificates")
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="one_certificate_number")]

    def __str__(self):
        return self.number

    @property
    def total_minutes(self) -> int:
        return sum(line["minutes"] for line in self.hours)
