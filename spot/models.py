"""Spot Otonari-san: one-off help in four areas, offered to approved volunteers without the requester's
identity, taken by the first volunteer who accepts."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.choices import SpotCategory
from jii.fields import EncryptedTextField
from jii.models import Area, Language, Resident, VolunteerProfile, agreed_privacy_notice


class Topic(models.TextChoices):
    # welfare
    BENEFITS = "benefits", _("Allowances and benefits")
    OFFICIAL_LETTER = "official_letter", _("Reading a letter from the city office")
    INSURANCE_PENSION = "insurance_pension", _("Health insurance and pension procedures")
    CARE_SUPPORT = "care_support", _("Elderly care or disability support")
    # child-rearing and education
    DAYCARE = "daycare", _("Daycare or kindergarten application")
    SCHOOL_ENROLMENT = "school_enrolment", _("School enrolment")
    SCHOOL_LETTERS = "school_letters", _("Letters and events from school")
    # healthcare
    FIND_CLINIC = "find_clinic", _("Choosing a clinic or hospital")
    VACCINATION = "vaccination", _("Booking a check-up or a child's vaccination")
    ACCOMPANY_VISIT = "accompany_visit", _("Going along to a medical visit")
    # living infrastructure
    UTILITIES = "utilities", _("Electricity, gas or water")
    PHONE_INTERNET = "phone_internet", _("Phone or internet contract")
    HOUSING = "housing", _("Housing contract or moving")


TOPICS_BY_CATEGORY = {
    SpotCategory.WELFARE: [Topic.BENEFITS, Topic.OFFICIAL_LETTER, Topic.INSURANCE_PENSION, Topic.CARE_SUPPORT],
    SpotCategory.CHILDREN: [Topic.DAYCARE, Topic.SCHOOL_ENROLMENT, Topic.SCHOOL_LETTERS],
    SpotCategory.HEALTHCARE: [Topic.FIND_CLINIC, Topic.VACCINATION, Topic.ACCOMPANY_VISIT],
    SpotCategory.INFRASTRUCTURE: [Topic.UTILITIES, Topic.PHONE_INTERNET, Topic.HOUSING],
}


class HelpMode(models.TextChoices):
    IN_PERSON = "in_person", _("Meet in person")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online (video or messages)")


class Urgency(models.IntegerChoices):
    # Stored as numbers so that "most urgent first" is a plain ORDER BY.
    WHEN_POSSIBLE = 1, _("When someone is free")
    SOON = 2, _("Within a week")
    URGENT = 3, _("Urgent (a deadline in the next few days)")


class SpotRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SpotRequest.Status.OPEN)

    def on_board(self):
        """Open requests, most urgent first, then newest."""
        return self.open().order_by("-urgency", "-created_at")


class SpotRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="spot_requests", verbose_name=_("resident")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    category = models.CharField(_("category"), max_length=20, choices=SpotCategory.choices)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    description = EncryptedTextField(_("what they need"))
    # The phone number given with this request (the shared resident record is never overwritten from a form).
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), related_name="+")
    modes = models.JSONField(_("how"), default=list)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("city or ward"))
    earliest = models.DateField(_("from"), null=True, blank=True)
    latest = models.DateField(_("until"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.WHEN_POSSIBLE)
    consented_at = models.DateTimeField(_("consent given"))
    privacy_notice = agreed_privacy_notice()
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    volunteer = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_requests",
        verbose_name=_("volunteer"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    agreed_on = models.DateField(_("agreed date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    report = models.TextField(_("what was done"), blank=True)
    minutes_spent = models.PositiveIntegerField(_("minutes spent"), null=True, blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # When the coordinators were told that nobody had taken it in 48 hours.
    escalated_at = models.DateTimeField(
        pgettext_lazy("staff", "escalated to coordinators"), null=True, blank=True, editable=False
    )
    # When the volunteers who fit were told (first round), and when the wider second round went out.
    alerted_at = models.DateTimeField(
        pgettext_lazy("staff", "volunteers alerted"), null=True, blank=True, editable=False
    )
    wider_round_at = models.DateTimeField(
        pgettext_lazy("staff", "wider round of alerts"), null=True, blank=True, editable=False
    )
    feedback = models.TextField(_("resident's thanks and feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    resident_wants_ofp = models.BooleanField(_("resident would like an OFP pair"), default=False)
    resident_ofp_consented_at = models.DateTimeField(_("resident agreed to OFP's terms"), null=True, blank=True)
    volunteer_wants_ofp = models.BooleanField(_("volunteer would like an OFP pair"), default=False)
    ofp_requested_at = models.DateTimeField(_("OFP application made"), null=True, blank=True)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    objects = SpotRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Spot request")
        verbose_name_plural = _("Spot requests")
        indexes = [models.Index(fields=["status", "urgency", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", volunteer__isnull=True) | ~Q(status="open"), name="open_means_unassigned"
            ),
            models.CheckConstraint(
                condition=Q(earliest__isnull=True) | Q(latest__isnull=True) | Q(latest__gte=models.F("earliest")),
                name="spot_window_in_order",
            ),
        ]

    def __str__(self):
        return _("Spot request #%(id)s") % {"id": self.pk}

    @property
    def is_flexible(self):
        return not (self.earliest or self.latest)

    def mode_labels(self):
        return ", ".join(str(HelpMode(mode).label) for mode in self.modes if mode in HelpMode.values)


class Acceptance(models.Model):
    """Who took a request, and whether they released it again. At most one unreleased row per request: the
    database itself refuses a second winner."""

    request = models.ForeignKey(SpotRequest, on_delete=models.CASCADE, related_name="acceptances")
    volunteer = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("volunteer")
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    assigned_by = models.ForeignKey(
        "jii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assigned by")
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("reason for releasing"), blank=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(released_at__isnull=True), name="one_current_acceptance"
            )
        ]

    def __str__(self):
        return f"{self.request} — {self.volunteer}"


class Alert(models.Model):
    """A volunteer who fits an open request was told about it: by an alert of its own, or in the daily digest
    (`digest`, sent at `digested_at`). One per request and volunteer, whichever round found them."""

    request = models.ForeignKey(SpotRequest, on_delete=models.CASCADE, related_name="alerts")
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField(pgettext_lazy("staff", "round"), default=1)
    digest = models.BooleanField(pgettext_lazy("staff", "in the daily digest"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("staff", "alerted"), default=timezone.now)
    digested_at = models.DateTimeField(pgettext_lazy("staff", "digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("staff", "alert")
        verbose_name_plural = pgettext_lazy("staff", "alerts")
        constraints = [models.UniqueConstraint(fields=["request", "volunteer"], name="one_alert_per_volunteer")]
        indexes = [models.Index(fields=["volunteer", "created_at"])]

    def __str__(self):
        return f"{self.request} → {self.volunteer_id}"
