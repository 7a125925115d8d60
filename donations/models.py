import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jii.models import agreed_privacy_notice
from jii.translated import TranslatedField


class CampaignQuerySet(models.QuerySet):
    def running(self, on=None):
        """Published campaigns whose period includes the given day (today in Tokyo by default)."""
        on = on or timezone.localdate()
        return self.filter(is_published=True, starts_on__lte=on, ends_on__gte=on)


class Campaign(models.Model):
    """A fundraising campaign with two goals: new supporters (gifts that renew, monthly or yearly) and a yen total
    including one-off gifts."""

    slug = models.SlugField(_("slug"), unique=True)
    title = TranslatedField(_("title"), max_length=200)
    summary = TranslatedField(_("summary"), multiline=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal_new_monthly_supporters = models.PositiveIntegerField(_("goal: new monthly or yearly supporters"))
    goal_amount_yen = models.PositiveIntegerField(_("goal: total in yen"))
    story = TranslatedField(_("story"), multiline=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self):
        return str(self.title)


class ImpactTier(models.Model):
    """A suggested amount and what it makes possible, shown on the campaign page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tiers")
    amount_yen = models.PositiveIntegerField(_("amount in yen"))
    impact = TranslatedField(_("impact"), max_length=200)

    class Meta:
        ordering = ["amount_yen"]
        verbose_name = _("suggested amount")
        verbose_name_plural = _("suggested amounts")
        constraints = [models.UniqueConstraint(fields=["campaign", "amount_yen"], name="tier_amount_once_per_campaign")]

    def __str__(self):
        return f"¥{self.amount_yen:,}"


class Voice(models.Model):
    """A participant's words shown on the campaign page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="voices")
    quote = TranslatedField(_("words"), multiline=True)
    who = TranslatedField(_("who"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("participant's voice")
        verbose_name_plural = _("participants' voices")

    def __str__(self):
        return str(self.who)


class Donor(models.Model):
    """One person who gives: every gift made with their email (in any letter case), or merged into them by
    donations staff. Name, contacts and address are as they last gave them (each gift keeps its own, as given, for
    its receipt). A merged donor is kept, pointing at the donor who took its gifts, so the audit still reads."""

    name = models.CharField(_("name"), max_length=150)
    name_kana = models.CharField(_("name in kana"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(pgettext_lazy("staff", "notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        editable=False,
        verbose_name=_("merged into"),
    )
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            # One current donor per email in any letter case: two first gifts at once cannot make two donors.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(merged_into=None) & ~Q(email=""),
                name="one_donor_per_email",
                violation_error_message=_("Another donor has this email: merge the two donors instead."),
            )
        ]

    def __str__(self):
        return f"#{self.pk}"


class Donation(models.Model):
    """One gift: once, monthly or yearly; through Stripe (card, konbini, PayPay, a bank transfer to the donor's own
    account number), by a transfer to JII's account, or through another channel. Only Stripe's webhooks (or
    donations staff, for the others) record money: a donation stays pending until a payment arrives."""

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Monthly")
        YEARLY = "yearly", _("Yearly")

    RECURRING = [Frequency.MONTHLY, Frequency.YEARLY]  # a Stripe subscription, renewed until the donor stops it

    class Method(models.TextChoices):
        # Through Stripe Checkout (settings.DONATION_PAYMENT_METHODS says which are offered).
        CARD = "card", _("Card")
        KONBINI = "konbini", _("Convenience store (konbini)")
        PAYPAY = "paypay", _("PayPay")
        STRIPE_BANK_TRANSFER = "jp_bank_transfer", _("Bank transfer to your own account number")
        # Recorded by donations staff.
        BANK_TRANSFER = "bank_transfer", _("Bank transfer to JII's account")
        OTHER_CHANNEL = "channel", _("Another channel (Give One, Benevity…)")

    class Status(models.TextChoices):
        # Ordered: a state only ever moves to a later one (see donations.services.advance).
        PENDING = "pending", _("Waiting for payment")
        # A konbini voucher or bank transfer not paid in time, or a checkout left unfinished: never counted.
        UNPAID = "unpaid", _("Not paid (expired)")
        ACTIVE = "active", _("Paid / active")
        PAST_DUE = "past_due", _("Payment failed")
        ENDED = "ended", _("Monthly or yearly gift stopped")
        REFUNDED = "refunded", _("Refunded")

    NOT_GIVEN = (Status.PENDING, Status.UNPAID)  # no money ever arrived: not a gift to show or keep

    class ShowAs(models.TextChoices):
        NAME = "name", _("My name")
        NICKNAME = "nickname", _("A nickname")
        ANONYMOUS = "anonymous", _("Anonymous")

    class ReceiptsWanted(models.TextChoices):
        EACH = "each", _("A receipt for each gift")
        ANNUAL = "annual", _("One receipt a year for all my gifts, sent early the next year")

    class MessageStatus(models.TextChoices):
        NONE = "none", _("No message")
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Shown on the page")
        REJECTED = "rejected", _("Not shown")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="donations", verbose_name=_("campaign")
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="gifts", verbose_name=_("donor")
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.ONCE)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.CARD)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_at = models.DateTimeField(_("status as of"), null=True, blank=True)  # the Stripe event's time
    name = models.CharField(_("name"), max_length=150)
    # As a bank statement shows the sender (katakana): how a transfer is matched to its gift.
    name_kana = models.CharField(_("name in kana"), max_length=150, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.TextField(_("address (for a receipt)"), blank=True)
    # For a gift through another channel (method OTHER_CHANNEL): its name, e.g. "Give One". That channel issues
    # the donor's receipt, so JII issues none.
    channel = models.CharField(_("channel"), max_length=60, blank=True)
    show_as = models.CharField(_("name on the page"), max_length=20, choices=ShowAs.choices, default=ShowAs.NAME)
    nickname = models.CharField(_("nickname"), max_length=60, blank=True)
    message = models.TextField(_("message"), blank=True)
    message_status = models.CharField(
        _("message"), max_length=20, choices=MessageStatus.choices, default=MessageStatus.NONE
    )
    language = models.CharField(_("language"), max_length=8, default="ja")
    consented_at = models.DateTimeField(_("consent given"))
    privacy_notice = agreed_privacy_notice()
    receipts_wanted = models.CharField(
        _("receipts"), max_length=10, choices=ReceiptsWanted.choices, default=ReceiptsWanted.EACH
    )
    accounting_consent = models.BooleanField(_("may appear by name in accounting exports"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("first payment"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Set when the retention job or an erasure request erased the personal data (jii/privacy.py).
    anonymised_at = models.DateTimeField(
        pgettext_lazy("staff", "personal data erased"), null=True, blank=True, editable=False
    )
    # A bank transfer through Stripe paid in part: what has arrived so far (the gift counts only once all of it has),
    # and, paid beyond the gift, what waits in the donor's Stripe cash balance for staff to refund (latest first).
    funded_yen = models.PositiveIntegerField(_("received so far (yen)"), default=0)
    excess_yen = models.PositiveIntegerField(_("paid beyond the gift (yen)"), default=0)
    excess_at = models.DateTimeField(_("paid beyond the gift, as of"), null=True, blank=True)
    stripe_checkout_session = models.CharField(_("Stripe checkout session"), max_length=255, blank=True, db_index=True)
    stripe_customer = models.CharField(_("Stripe customer"), max_length=255, blank=True)
    stripe_subscription = models.CharField(_("Stripe subscription"), max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [
            models.Index(fields=["campaign", "frequency", "started_at"]),
            models.Index(fields=["campaign", "message_status", "created_at"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount_yen__gte=1), name="donation_amount_positive")]

    def __str__(self):
        return f"¥{self.amount_yen:,} ({self.get_frequency_display()})"

    @property
    def renews(self) -> bool:
        return self.frequency in self.RECURRING

    @property
    def public_name(self) -> str:
        if self.show_as == self.ShowAs.NICKNAME and self.nickname:
            return self.nickname
        if self.show_as == self.ShowAs.NAME:
            return self.name
        return ""


class Payment(models.Model):
    """Money received for a donation: a card payment (one per Stripe invoice or checkout) or a bank transfer.
    Refunds are recorded on the payment they refund, so a campaign's total is payments minus refunds."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="payments")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="payments")
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    refunded_yen = models.PositiveIntegerField(_("refunded (yen)"), default=0)
    received_at = models.DateTimeField(_("received"))
    # The Stripe object this payment comes from (an invoice or a payment intent); unique, so a payment is
    # recorded once however many events mention it.
    stripe_reference = models.CharField(_("Stripe reference"), max_length=255, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        "jii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    # The line of an imported bank statement this transfer was confirmed from; one-to-one, so the database itself
    # refuses a second payment for the same line (a double submit, two staff at once).
    statement_line = models.OneToOneField(
        "StatementLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("bank statement line"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["campaign", "received_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_yen__lte=models.F("amount_yen")), name="refund_at_most_paid")
        ]

    def __str__(self):
        return f"¥{self.amount_yen:,}"


class BankStatement(models.Model):
    """One upload of JII's bank statement. Uploading it again is recorded too, and adds no line twice."""

    class Format(models.TextChoices):
        ZENGIN = "zengin", _("Zengin (全銀) statement of deposits and withdrawals")
        SBI = "sbi", _("SBI Net Bank CSV")

    uploaded_by = models.ForeignKey(
        "jii.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    checksum = models.CharField(_("checksum of the file"), max_length=64, db_index=True)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    lines_known = models.PositiveIntegerField(_("lines already imported"), default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("imported bank statement")
        verbose_name_plural = _("imported bank statements")

    def __str__(self):
        return self.file_name


class StatementLine(models.Model):
    """A credit on an imported statement: still to be matched, matched to a payment, or ignored by staff (not a
    gift). Its checksum (donations.bank_statements.line_checksums) is unique: a line is imported once."""

    class State(models.TextChoices):
        UNMATCHED = "unmatched", _("To be matched")
        MATCHED = "matched", _("Matched to a gift")
        IGNORED = "ignored", _("Ignored")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    date = models.DateField(_("date"))
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    kana = models.CharField(_("sender (kana)"), max_length=150, blank=True)
    reference = models.CharField(_("bank's reference"), max_length=255, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UNMATCHED)
    decided_by = models.ForeignKey(
        "jii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        indexes = [models.Index(fields=["state", "date"])]

    def __str__(self):
        return f"{self.date} ¥{self.amount_yen:,}"


class StripeEvent(models.Model):
    """Every Stripe event applied, stored in the same transaction as its effect: a second delivery finds it
    and changes nothing."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.event_id}"


class ReceiptCounter(models.Model):
    """The last receipt number issued in a fiscal year. Taking a number locks this row, and the number is
    used in the same transaction, so numbers are never duplicated and — a rollback returning the number — never
    skipped."""

    fiscal_year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.fiscal_year}: {self.last_number}"


class Receipt(models.Model):
    """An issued receipt (領収書). Never edited: a correction voids it and issues a new one pointing back."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One gift")
        ANNUAL = "annual", _("Annual (all gifts of a year)")

    number = models.CharField(_("number"), max_length=30, unique=True)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipts")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="receipts", null=True, blank=True)
    # An annual receipt covers several payments of one donor.
    covers = models.ManyToManyField(Payment, related_name="annual_receipts", blank=True, verbose_name=_("gifts"))
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="receipts", verbose_name=_("donor")
    )
    donor_email = models.EmailField(_("donor's email"), blank=True)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    received_on = models.DateField(_("date received"))
    donor_name = models.CharField(_("donor's name"), max_length=150)
    donor_address = models.TextField(_("donor's address"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="ja")
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    file = models.FileField(_("PDF"), upload_to="receipts/%Y/", blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "sequence"], name="receipt_sequence_once"),
            # One valid receipt per payment: a repeated or redelivered task cannot issue a second one.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(voided_at__isnull=True, kind="single"), name="one_receipt_per_payment"
            ),
            models.UniqueConstraint(
                fields=["donor", "fiscal_year"],
                condition=Q(voided_at__isnull=True, kind="annual"),
                name="one_annual_receipt_per_donor_and_year",
            ),
        ]

    def __str__(self):
        return self.number
