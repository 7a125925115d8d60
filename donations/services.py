"""Every state change of the donations app, one transaction each, called by views, the admin, tasks and the
Stripe events' handlers (donations/stripe_events.py, which read the events and call these inside one transaction
per event): checkout sessions opened for pending donations, what was paid (by Stripe or by bank transfer), gifts
through other channels, donors merged, messages moderated and receipts queued."""

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import stripe
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from donations import messages
from donations.bank_statements import Statement, line_checksums
from donations.channels import Row
from donations.models import BankStatement, Campaign, Donation, Donor, Payment, Receipt, StatementLine
from donations.progress import forget_pages
from donations.receipts import CannotIssue, check_issuable, void_and_reissue
from donations.selectors import fiscal_year, unreceipted_payments
from donations.stripe_api import (
    KONBINI_DAYS_TO_PAY,
    STRIPE_METHODS,
    stripe_client,
    stripe_locale,
)
from jii import audit
from jii.models import PrivacyNotice, User

logger = logging.getLogger(__name__)
Status = Donation.Status
TERMINAL = {Status.ENDED, Status.REFUNDED}


class CheckoutUnavailable(Exception):
    """Stripe could not be reached or refused: the donor is told to try again or use a bank transfer."""


# --- campaign figures, cached until money moves --------------------------------------------------------


def money_moved(campaign_id: int) -> None:
    """Invalidate the campaign page's cached figures, fragments and pages (after the transaction commits)."""
    slug = Campaign.objects.filter(pk=campaign_id).values_list("slug", flat=True).first()

    def forget() -> None:
        try:
            cache.incr(f"campaign:{campaign_id}:version")
        except ValueError:
            cache.set(f"campaign:{campaign_id}:version", 2, None)
        if slug:
            forget_pages(slug)

    transaction.on_commit(forget)


# --- starting a gift ------------------------------------------------------------------------------------


LAST_KNOWN = ["name", "name_kana", "phone", "address"]  # what a new gift updates on its donor, when given


def donor_for(*, email: str, **details: str) -> Donor:
    """The donor of a new gift: the one with this email in any letter case (or the donor staff merged them into),
    with the details just given as the last known ones; a new donor for a gift without an email."""
    given = {name: details[name] for name in LAST_KNOWN if details.get(name)}
    donor = None
    if email:
        # A current donor before a merged one: a merged donor keeps its email, and points at the one to use.
        donor = Donor.objects.filter(email__iexact=email).order_by(F("merged_into").asc(nulls_first=True), "pk").first()
        if donor is None:
            try:
                with transaction.atomic():
                    return Donor.objects.create(email=email.lower(), **given)
            except IntegrityError:  # the same donor's first gift, started a moment ago in another request
                donor = Donor.objects.get(email__iexact=email, merged_into=None)
        donor = donor.merged_into or donor
    if donor is None:
        return Donor.objects.create(**given)
    changed = {name: value for name, value in given.items() if getattr(donor, name) != value}
    if changed:
        audit.update(Donor.objects.filter(pk=donor.pk), **changed)
    return donor


@transaction.atomic
def create_pending_donation(*, campaign: Campaign, **details: Any) -> Donation:
    if details.get("message"):
        details["message_status"] = Donation.MessageStatus.PENDING
    donor = donor_for(email=details.get("email", ""), **{name: details.get(name, "") for name in LAST_KNOWN})
    return Donation.objects.create(
        campaign=campaign,
        donor=donor,
        consented_at=timezone.now(),
        privacy_notice=PrivacyNotice.objects.current(),
        **details,
    )


RENEWS_EVERY = {Donation.Frequency.MONTHLY: "month", Donation.Frequency.YEARLY: "year"}  # Stripe's price intervals


def start_checkout(*, donation: Donation, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout Session for a pending donation and return its URL. The idempotency key comes
    from the donation, so a retried request opens the same session, not a second one."""
    item: dict[str, Any] = {
        "price_data": {
            "currency": "jpy",  # zero-decimal: ¥5,000 is 5000
            "unit_amount": donation.amount_yen,
            "product_data": {"name": str(donation.campaign.title)},
        },
        "quantity": 1,
    }
    metadata = {"donation": str(donation.id)}
    params = {
        "line_items": [item],
        "client_reference_id": str(donation.id),
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": stripe_locale(donation.language),
        # Only the method the donor chose. Since 2026-09-30.endive Checkout refuses `payment_method_types`;
        # `allowed_payment_method_types` filters the methods enabled in the Dashboard instead.
        "allowed_payment_method_types": [STRIPE_METHODS[donation.method].checkout_type],
        **method_options(donation),
    }
    if donation.frequency in RENEWS_EVERY:
        item["price_data"]["recurring"] = {"interval": RENEWS_EVERY[donation.frequency]}
        params |= {"mode": "subscription", "subscription_data": {"metadata": metadata}}
    else:
        params |= {"mode": "payment", "payment_intent_data": {"metadata": metadata}}
    try:
        if donation.method == Donation.Method.STRIPE_BANK_TRANSFER:
            params["customer"] = bank_transfer_customer(donation)
        else:
            params["customer_email"] = donation.email
        session = stripe_client().v1.checkout.sessions.create(params, {"idempotency_key": f"checkout-{donation.id}"})
    except stripe.StripeError as error:
        logger.warning("Stripe checkout failed for donation %s: %s", donation.id, type(error).__name__)
        raise CheckoutUnavailable from error
    audit.update(Donation.objects.filter(pk=donation.pk), stripe_checkout_session=session.id)
    return session.url


def method_options(donation: Donation) -> dict[str, Any]:
    """Checkout's options for the chosen method, as Stripe's guide for each says."""
    if donation.method == Donation.Method.KONBINI:
        # https://docs.stripe.com/payments/konbini/accept-a-payment?payment-ui=checkout
        return {"payment_method_options": {"konbini": {"expires_after_days": KONBINI_DAYS_TO_PAY}}}
    if donation.method == Donation.Method.STRIPE_BANK_TRANSFER:
        # https://docs.stripe.com/payments/bank-transfers/accept-a-payment?payment-ui=checkout: the donor's own
        # virtual account, to which Stripe matches the money they send.
        bank_transfer = {"funding_type": "bank_transfer", "bank_transfer": {"type": "jp_bank_transfer"}}
        return {"payment_method_options": {"customer_balance": bank_transfer}}
    return {}


def bank_transfer_customer(donation: Donation) -> str:
    """The Stripe customer a bank transfer is paid through: the one this donor already has (so they keep one account
    number), else a new one made now, so that every funding event names a customer we know."""
    earlier = (
        Donation.objects.filter(email__iexact=donation.email, method=Donation.Method.STRIPE_BANK_TRANSFER)
        .exclude(stripe_customer="")
        .values_list("stripe_customer", flat=True)
        .first()
    )
    customer = (
        earlier
        or stripe_client()
        .v1.customers.create(
            {"email": donation.email, "name": donation.name, "metadata": {"donation": str(donation.id)}},
            {"idempotency_key": f"customer-{donation.id}"},
        )
        .id
    )
    audit.update(Donation.objects.filter(pk=donation.pk), stripe_customer=customer)
    return customer


# --- what Stripe's events record (read by donations/stripe_events.py, inside its one transaction per event) ---


def advance(donation: Donation, status: str, when: datetime) -> None:
    """Move a donation's state, but never back in time: an older event (delivered late) changes nothing, and
    an ended or refunded gift stays so. Events in any order therefore end in the same state."""
    if donation.status in TERMINAL or (donation.status_at and when < donation.status_at):
        return
    donation.status = status
    donation.status_at = when
    if status in TERMINAL:
        donation.ended_at = when
    donation.save(update_fields=["status", "status_at", "ended_at"])


def paid(donation: Donation, when: datetime) -> None:
    """A payment is a fact, whatever state the gift has reached: the earliest one is the gift's start, and the
    first one recorded brings the thank-you (once)."""
    if donation.started_at is None:
        messages.queue_thanks(donation)
    if donation.started_at is None or when < donation.started_at:
        donation.started_at = when
        donation.save(update_fields=["started_at"])


def record_payment(donation: Donation, *, reference: str, amount: int, received_at: datetime) -> None:
    payment, created = Payment.objects.get_or_create(
        stripe_reference=reference,
        defaults={
            "donation": donation,
            "campaign_id": donation.campaign_id,
            "amount_yen": amount,
            "received_at": received_at,
        },
    )
    if created:
        messages.queue_receipt(payment)
        paid(donation, received_at)


def link_to_stripe(donation: Donation, *, customer: str | None, subscription: str | None) -> None:
    """Keep the Stripe customer and subscription a gift is paid through (each kept as it was when not given)."""
    donation.stripe_customer = customer or donation.stripe_customer
    donation.stripe_subscription = subscription or donation.stripe_subscription
    donation.save(update_fields=["stripe_customer", "stripe_subscription"])


def record_partial_funding(donation: Donation, funded_yen: int) -> None:
    """Part of a bank transfer arrived: the donor is told what came and what is left, once per amount, and the
    largest amount seen stands (so events in any order agree)."""
    if 0 < funded_yen < donation.amount_yen and funded_yen > donation.funded_yen:
        donation.funded_yen = funded_yen
        donation.save(update_fields=["funded_yen"])
        messages.queue_part_received(donation)


def record_excess(donation: Donation, excess_yen: int, when: datetime) -> None:
    """What a bank transfer brought beyond the gift, for staff to return (the latest balance stands)."""
    if donation.excess_at is None or when >= donation.excess_at:
        donation.excess_yen, donation.excess_at = excess_yen, when
        donation.save(update_fields=["excess_yen", "excess_at"])


def record_refund(payment: Payment, refunded_yen: int, when: datetime) -> None:
    """Stripe tells the total refunded so far: keeping the largest makes repeated or late events harmless. The
    receipt is corrected for what is left, and a one-off gift refunded in full is refunded."""
    refunded_yen = min(refunded_yen, payment.amount_yen)
    if refunded_yen > payment.refunded_yen:
        payment.refunded_yen = refunded_yen
        payment.save(update_fields=["refunded_yen"])
        messages.queue_correction(payment)
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    if donation.frequency == Donation.Frequency.ONCE and payment.refunded_yen == payment.amount_yen:
        advance(donation, Status.REFUNDED, when)
    money_moved(payment.campaign_id)


# --- bank transfers and moderation ----------------------------------------------------------------------


@transaction.atomic
def record_bank_transfer(
    *,
    donation: Donation,
    amount_yen: int,
    received_on: date,
    recorded_by: User,
    statement_line: StatementLine | None = None,
) -> Payment:
    """Donations staff record a transfer seen on the bank statement (by hand, or a line of an imported one); it
    counts like a card gift."""
    received_at = timezone.make_aware(datetime.combine(received_on, datetime.min.time().replace(hour=12)))
    payment = Payment.objects.create(
        donation=donation,
        campaign_id=donation.campaign_id,
        amount_yen=amount_yen,
        received_at=received_at,
        recorded_by=recorded_by,
        statement_line=statement_line,
    )
    messages.queue_receipt(payment)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    paid(donation, received_at)
    advance(donation, Status.ACTIVE, received_at)
    money_moved(donation.campaign_id)
    return payment


@transaction.atomic
def record_bank_transfer_by_hand(
    *, donation: Donation | None, new_gift: dict[str, Any], amount_yen: int, received_on: date, recorded_by: User
) -> Payment:
    """Donations staff record a transfer from the bank statement: to a gift already recorded (a supporter's later
    transfer), else to a new anonymous gift made from `new_gift`'s details. The gift, the payment, its thank-you and
    receipt are recorded together or not at all."""
    if donation is None:
        donation = create_pending_donation(
            **new_gift, method=Donation.Method.BANK_TRANSFER, amount_yen=amount_yen, show_as=Donation.ShowAs.ANONYMOUS
        )
    return record_bank_transfer(
        donation=donation, amount_yen=amount_yen, received_on=received_on, recorded_by=recorded_by
    )


@transaction.atomic
def import_bank_statement(*, statement: Statement, file_name: str, uploaded_by: User) -> BankStatement:
    """Keep a parsed statement's credits that were never imported before (known by their checksums, whatever
    file they came in); the import records how many were new and how many already there."""
    upload = BankStatement.objects.create(
        uploaded_by=uploaded_by, file_name=file_name[:255], format=statement.format, checksum=statement.checksum
    )
    checksums = line_checksums(statement.rows)
    known = set(StatementLine.objects.filter(checksum__in=checksums).values_list("checksum", flat=True))
    for row, checksum in zip(statement.rows, checksums, strict=True):
        if checksum in known:
            continue
        try:
            with transaction.atomic():
                StatementLine.objects.create(
                    statement=upload,
                    date=row.date,
                    amount_yen=row.amount_yen,
                    kana=row.kana[:150],
                    reference=row.reference[:255],
                    checksum=checksum,
                )
        except IntegrityError:  # the same line, uploaded by someone else at this very moment
            known.add(checksum)
    upload.lines_known = sum(checksum in known for checksum in checksums)
    upload.lines_new = len(checksums) - upload.lines_known
    upload.save(update_fields=["lines_new", "lines_known"])
    return upload


IGNORE = "ignore"


@transaction.atomic
def confirm_statement_lines(*, decisions: dict[StatementLine, Donation | str], confirmed_by: User) -> tuple[int, int]:
    """Donations staff confirm, in one step, which gift each line of imported statements pays (a Donation), or that
    it is not a gift (IGNORE). Each chosen line becomes a bank-transfer payment, with its thank-you and receipt as
    for one recorded by hand, all in one transaction. A line is taken by a compare-and-set on its state, so a
    double submit (or two staff at once) pays it once; a one-off gift already paid meanwhile is left alone and
    its line stays to be matched. Returns how many lines were paid and how many ignored."""
    paid_lines = ignored = 0
    decided = {"decided_by": confirmed_by, "decided_at": timezone.now()}
    for line, choice in sorted(decisions.items(), key=lambda item: (item[0].date, item[0].pk)):
        still_open = StatementLine.objects.filter(pk=line.pk, state=StatementLine.State.UNMATCHED)
        if not isinstance(choice, Donation):  # IGNORE
            ignored += audit.update(still_open, state=StatementLine.State.IGNORED, **decided)
            continue
        donation = Donation.objects.select_for_update().get(pk=choice.pk)
        if donation.frequency == Donation.Frequency.ONCE and donation.status != Status.PENDING:
            continue
        if not audit.update(still_open, state=StatementLine.State.MATCHED, **decided):
            continue
        record_bank_transfer(
            donation=donation,
            amount_yen=line.amount_yen,
            received_on=line.date,
            recorded_by=confirmed_by,
            statement_line=line,
        )
        paid_lines += 1
    return paid_lines, ignored


@transaction.atomic
def queue_receipts(payments: QuerySet[Payment]) -> int:
    """Donations staff issue the receipts missing for some payments (each payment's receipt message once)."""
    return sum(messages.queue_receipt(payment) is not None for payment in payments.select_related("donation"))


@transaction.atomic
def send_history_link(*, email: str) -> bool:
    """The link to the donor's gifts and receipts, to the address they gave (nothing if they never gave)."""
    donation = (
        Donation.objects.filter(email__iexact=email).exclude(status__in=Donation.NOT_GIVEN).order_by("-created_at")
    ).first()
    if donation is not None:
        messages.queue_history_link(donation)
    return donation is not None


def set_receipts_wanted(*, email: str, choice: str) -> int:
    """The donor's choice applies to all their gifts from now on; receipts already issued stay as they are."""
    return audit.update(Donation.objects.filter(email__iexact=email), receipts_wanted=choice)


@transaction.atomic
def moderate_messages(*, donations: QuerySet[Donation], approve: bool) -> int:
    new_status = Donation.MessageStatus.APPROVED if approve else Donation.MessageStatus.REJECTED
    changed = donations.filter(~Q(message=""))
    campaign_ids = set(changed.values_list("campaign_id", flat=True))
    count = audit.update(changed, message_status=new_status)
    for campaign_id in campaign_ids:
        money_moved(campaign_id)
    return count


# --- donors: merging, gifts through other channels ------------------------------------------------------


@transaction.atomic
def merge_donors(*, keep: Donor, merge: Donor) -> int:
    """Donations staff found one person as two donors: every gift of `merge` (with its payments and receipts) moves
    to `keep`, and so do donors merged into it before. `merge` stays, pointing at `keep`, so the audit still tells
    who was who; notes of both are kept, and `keep`'s empty details are filled from `merge`'s. Returns how many
    gifts moved."""
    # Both locked in one order, so two merges of the same donors wait for each other instead of deadlocking.
    locked = {
        donor.pk: donor for donor in Donor.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    if keep.pk == merge.pk or keep.merged_into_id or merge.merged_into_id:
        raise ValueError("merge two different donors, neither merged already")
    # One valid annual receipt per donor and year: where both hold one, the merged donor's is voided, and one
    # receipt for both replaces the kept one's (it no longer covers every gift of the year).
    kept_years = Receipt.objects.filter(donor=keep, kind=Receipt.Kind.ANNUAL, voided_at=None).values("fiscal_year")
    both = Receipt.objects.filter(donor=merge, kind=Receipt.Kind.ANNUAL, voided_at=None, fiscal_year__in=kept_years)
    years = sorted(both.values_list("fiscal_year", flat=True))
    audit.update(
        both,
        voided_at=timezone.now(),
        void_reason=gettext("Donor #%(merge)s merged into donor #%(keep)s: one receipt for both replaces it.")
        % {"merge": merge.pk, "keep": keep.pk},
    )
    audit.update(Donor.objects.filter(pk=merge.pk), merged_into=keep)
    moved = audit.update(Donation.objects.filter(donor=merge), donor=keep)
    audit.update(Receipt.objects.filter(donor=merge), donor=keep)
    audit.update(Donor.objects.filter(merged_into=merge), merged_into=keep)
    filled = {name: getattr(merge, name) for name in LAST_KNOWN if getattr(merge, name) and not getattr(keep, name)}
    notes = "\n\n".join(note for note in (keep.notes.strip(), merge.notes.strip()) if note)
    audit.update(Donor.objects.filter(pk=keep.pk), notes=notes, **filled)
    if years:
        latest = Donation.objects.filter(donor=keep).exclude(status=Status.PENDING).latest("created_at")
        for year in years:
            messages.queue_annual_receipt(latest, year, once=f"annual:{year}:merged:{merge.pk}")
    return moved


@transaction.atomic
def import_channel_gifts(
    *, campaign: Campaign, channel: str, rows: Iterable[Row], recorded_by: User
) -> tuple[int, int]:
    """Gifts received through another channel (Give One, Benevity…), from its CSV export (see donations/channels.py):
    each row a one-off gift with one payment, referenced "<channel>:<their transaction id>", so a row imported
    before adds nothing. No thank-you and no receipt from JII: the channel sends its own. They count towards the
    campaign's total. Returns (added, already imported)."""
    added = already = 0
    for row in rows:
        if Payment.objects.filter(stripe_reference=row.reference).exists():
            already += 1
            continue
        received_at = timezone.make_aware(datetime.combine(row.received_on, datetime.min.time().replace(hour=12)))
        try:
            with transaction.atomic():
                donation = create_pending_donation(
                    campaign=campaign,
                    method=Donation.Method.OTHER_CHANNEL,
                    channel=row.channel_name,
                    amount_yen=row.amount_yen,
                    name=row.name,
                    email=row.email,
                    name_kana=row.name_kana,
                    address=row.address,
                    show_as=Donation.ShowAs.ANONYMOUS,
                    language=settings.LANGUAGE_CODE,
                )
                Payment.objects.create(
                    donation=donation,
                    campaign=campaign,
                    amount_yen=row.amount_yen,
                    received_at=received_at,
                    stripe_reference=row.reference,
                    recorded_by=recorded_by,
                )
        except IntegrityError:  # the same row, imported a moment ago by someone else
            already += 1
            continue
        donation.started_at = received_at
        donation.save(update_fields=["started_at"])
        advance(donation, Status.ACTIVE, received_at)
        added += 1
    if added:
        money_moved(campaign.pk)
    return added, already


@transaction.atomic
def queue_waiting_receipts(donations: QuerySet[Donation]) -> int:
    """Receipts that waited for the donor's name and address (JII being a 認定NPO法人), once staff added them:
    each gift's missing receipt, or the donor's annual one, queued again."""
    queued = 0
    for donation in donations.select_related("donor"):
        try:
            check_issuable(donation)
        except CannotIssue:
            continue
        waiting = unreceipted_payments().filter(donation=donation)
        if donation.receipts_wanted == Donation.ReceiptsWanted.ANNUAL:
            # Only years already over: the current year's receipt comes with the annual run in January.
            this_year = fiscal_year(timezone.localdate())
            years = {fiscal_year(timezone.localtime(payment.received_at).date()) for payment in waiting}
            for year in sorted(years - {this_year}):
                once = f"annual:{year}:{donation.pk}:addressed"
                queued += messages.queue_annual_receipt(donation, year, once=once) is not None
        else:
            for payment in waiting:
                payment.donation = donation
                queued += messages.queue_receipt(payment, once=f"payment:{payment.pk}:addressed") is not None
    return queued


@transaction.atomic
def queue_annual_receipts(year: int | None = None) -> int:
    """The annual receipts of a fiscal year (by default the one just over) written to the outbox: every donor's
    that is missing or no longer covers every gift."""
    return messages.queue_annual_receipts(year or fiscal_year(timezone.localdate()) - 1)


def reissue_receipts(receipts: QuerySet[Receipt], *, reason: str) -> tuple[int, int]:
    """Donations staff correct receipts: each valid one is voided and reissued, in a transaction of its own, so one
    that cannot be reissued (its donor's name or address missing) stays valid and the others are done. Returns how
    many were reissued and how many refused."""
    done = refused = 0
    for receipt in receipts.filter(voided_at__isnull=True):
        try:
            void_and_reissue(receipt=receipt, reason=reason)
        except CannotIssue:
            refused += 1
        else:
            done += 1
    return done, refused
