"""The outbox: every message to a person is a jii.Message row, written in the transaction of the change that
causes it, and delivered afterwards by one Celery task (pretix's OutgoingMail is the model).

The row, not the broker, is what must not be lost. After the commit the row's id is handed to the broker; if
Redis is down at that moment the request goes on as usual, and the sweep (Celery beat, every minute) hands the
row over once Redis is back. A send that fails is tried again with growing waits, up to MAX_ATTEMPTS; then the
message is "failed", and coordinators see it in the admin with a "send again" action.

Each kind of message has a builder, registered by its app with @builder: given the message, it loads what the
message's ids point to and returns a Letter (the template's context and any attachments), or None when the
message is no longer true by the time it is sent (it is then marked obsolete, not sent).
"""

import logging
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from linebot.v3.messaging.exceptions import ApiException

from jii import line
from jii.emails import render_localized, send_localized_email
from jii.models import LineLink, Message, Resident, UndeliverableAddress, User
from jii.status_links import status_url

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # about 12 hours of tries in all (see backoff)
LONGEST_WAIT = timedelta(hours=3)
# A queued row the broker should have delivered by now: the sweep hands it over (again) after this long…
OVERDUE_AFTER = timedelta(minutes=2)
# …and leaves it that long before handing it over once more, so a long queue is not queued twice a minute.
LEASE = timedelta(minutes=10)


@dataclass
class Letter:
    context: dict
    attachments: list = field(default_factory=list)  # (filename, content, mimetype)


Builder = Callable[[Message], Letter | None]
Preparer = Callable[[Message], dict | None]

BUILDERS: dict[str, Builder] = {}
# Steps some messages need before they are built, committed on their own (a receipt is issued even when the
# email about it fails): they return ids to add to the message, e.g. {"receipt": 12}. They must be idempotent.
PREPARERS: dict[str, Preparer] = {}
# Messages whose mere existence is confidential (that a resident asked for a consultation): who may see them in
# the admin, by permission.
SEEN_ONLY_WITH: dict[str, str] = {}


def builder(*templates: str, seen_only_with: str = "", prepare: Preparer | None = None) -> Callable[[Builder], Builder]:
    """Register the function that builds these kinds of message from their ids; `seen_only_with` names the
    permission a staff member needs to see them in the admin; `prepare` is a step before (see PREPARERS)."""

    def register(function: Builder) -> Builder:
        for template in templates:
            BUILDERS[template] = function
            if seen_only_with:
                SEEN_ONLY_WITH[template] = seen_only_with
            if prepare:
                PREPARERS[template] = prepare
        return function

    return register


def visible_to(user: User | AnonymousUser, messages: QuerySet[Message]) -> QuerySet[Message]:
    """The messages this staff member may see (the confidential kinds only with their permission)."""
    hidden = [template for template, permission in SEEN_ONLY_WITH.items() if not user.has_perm(permission)]
    return messages.exclude(template__in=hidden) if hidden else messages


def queue(
    template: str,
    *,
    once: str | int | uuid.UUID,
    to: Resident | User | str,
    language: str = "",
    not_before: datetime | None = None,
    **ids: Any,
) -> Message | None:
    """Write the message in the current transaction, to be delivered after the commit (or, with `not_before`, by
    the sweep once that time has come); None if a message with this template and `once` key was written before
    (then nothing happens). `to` is a resident, a user, or an email address (then `language` is needed); `ids`
    are what the builder needs, ids only."""
    if template not in BUILDERS:
        raise LookupError(f"no builder for the message {template!r}")
    recipient: dict[str, Resident | User] = (
        {"resident": to} if isinstance(to, Resident) else {"user": to} if isinstance(to, User) else {}
    )
    message, created = Message.objects.get_or_create(
        once_key=f"{template}:{once}",
        defaults={
            "template": template,
            "address": "" if recipient else to,
            "language": language or getattr(to, "language", settings.LANGUAGE_CODE),
            "ids": ids,
            # The sweep takes a message once it is overdue: due at `not_before`, it goes then.
            **({"next_attempt_at": not_before - OVERDUE_AFTER} if not_before else {}),
            **recipient,
        },
    )
    if not created:
        return None
    if not not_before:
        transaction.on_commit(partial(hand_to_broker, message.pk))
    return message


def already_queued(template: str, onces: Iterable[str | int]) -> set[str]:
    """Which of these `once` keys of a template have a message already (for the daily jobs' candidates)."""
    keys = {f"{template}:{once}": str(once) for once in onces}
    return {keys[key] for key in Message.objects.filter(once_key__in=keys).values_list("once_key", flat=True)}


def hand_to_broker(message_id: int) -> None:
    """Never raises into the request: a message the broker does not take now stays queued for the sweep."""
    from jii.tasks import deliver_message

    try:
        deliver_message.apply_async((message_id,), retry=False)
    except Exception as error:  # Redis down or unreachable
        logger.warning("message %s waits for the sweep: the broker did not take it (%s)", message_id, error)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed try: 1, 2, 4 … minutes up to LONGEST_WAIT, each ±20 % so that messages
    that failed together (a mail server down) are not all tried again in the same second."""
    wait = min(timedelta(minutes=2 ** (attempts - 1)), LONGEST_WAIT)
    return wait * random.uniform(0.8, 1.2)


def recipient_address(message: Message) -> str:
    if message.resident is not None:
        return message.resident.email
    if message.user is not None:
        return message.user.email
    return message.address


def base_context(message: Message) -> dict:
    """What every message's template may use: the reader's name and, for a resident, their status link."""
    if message.resident is not None:
        return {"name": message.resident.name, "status_url": status_url(message.resident)}
    if message.user is not None:
        return {"name": message.user.name}
    return {}


class Undeliverable(Exception):
    """The recipient cannot be reached by any channel: trying again would not help."""


def line_link(message: Message) -> LineLink | None:
    """The recipient's LINE account, if they linked one and LINE is set up."""
    recipient = message.resident if message.resident_id else message.user if message.user_id else None
    if recipient is None or not line.configured():
        return None
    return LineLink.objects.filter(**{"resident" if message.resident_id else "user": recipient}).first()


def send(message: Message, letter: Letter) -> str:
    """Send by the recipient's channel: LINE if they linked it, else email. Returns the channel used."""
    context = {**base_context(message), **letter.context}
    link = line_link(message)
    # Files (receipts, calendar entries) need email, unless there is no email to send them to.
    if link is not None and (not letter.attachments or not recipient_address(message)):
        subject, text, _html = render_localized(message.template, language=message.language, context=context)
        try:
            line.push(link.line_user_id, f"{subject}\n\n{text.strip()}", retry_key=str(retry_key(message)))
            return Message.Channel.LINE
        except ApiException as error:
            if not recipient_address(message):
                raise
            logger.warning("message %s: LINE refused it (%s), sent by email instead", message.pk, error.status)
    address = recipient_address(message)
    if not address:
        raise Undeliverable("no email address, and no LINE")
    blocked = UndeliverableAddress.objects.filter(address=address.lower()).first()
    if blocked is not None:
        raise Undeliverable(f"{blocked.address}: {blocked.reason} since {blocked.reported_at:%Y-%m-%d}")
    send_localized_email(
        message.template, to=address, language=message.language, context=context, attachments=letter.attachments
    )
    return Message.Channel.EMAIL


def retry_key(message: Message) -> uuid.UUID:
    """The same for every try of one message, so LINE delivers a push that is tried again only once."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"jii-message:{message.once_key}")


def deliver(message_id: int) -> str:
    """Send one queued message, or record why not. Returns its state afterwards ("" if it was not queued).

    The row is locked while it is sent, so two workers given the same id send it once; what the builder
    writes is kept only if the send succeeds, as the failure rolls the whole transaction back; what its
    preparing step writes (a receipt) is kept in any case."""
    try:
        prepare(message_id)
        with transaction.atomic():
            message = waiting(message_id)
            if message is None:
                return ""  # sent, failed, obsolete, or being sent right now by another worker
            letter = BUILDERS[message.template](message)
            if letter is None:
                message.state = Message.State.OBSOLETE
            else:
                message.channel = send(message, letter)
                message.state, message.sent_at = Message.State.SENT, timezone.now()
            message.attempts += 1
            message.save(update_fields=["state", "channel", "sent_at", "attempts"])
            return message.state
    except Exception as error:
        return record_failure(message_id, error)


@transaction.atomic
def prepare(message_id: int) -> None:
    message = Message.objects.filter(pk=message_id, state=Message.State.QUEUED).first()
    step = PREPARERS.get(message.template) if message else None
    if message is None or step is None:
        return
    more_ids = step(message)
    if more_ids:
        Message.objects.filter(pk=message_id).update(ids={**message.ids, **more_ids})


def waiting(message_id: int) -> Message | None:
    """The queued message, locked; None if it is not queued or another worker holds it."""
    messages = Message.objects.select_for_update(skip_locked=True, of=("self",)).select_related("resident", "user")
    return messages.filter(pk=message_id, state=Message.State.QUEUED).first()


@transaction.atomic
def record_failure(message_id: int, error: Exception) -> str:
    message = waiting(message_id)
    if message is None:
        return ""
    message.attempts += 1
    # The error is kept for coordinators; only its kind reaches the log, as an SMTP error's text can name the
    # recipient.
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    message.next_attempt_at = timezone.now() + backoff(message.attempts)
    if message.attempts >= MAX_ATTEMPTS or isinstance(error, Undeliverable):
        message.state = Message.State.FAILED
    message.save(update_fields=["attempts", "last_error", "next_attempt_at", "state"])
    logger.warning("message %s (%s) attempt %s failed: %s", message.pk, message.template, message.attempts, type(error))
    return message.state


def send_again(messages: QuerySet[Message]) -> int:
    """Coordinators' action on failed (or obsolete) messages: queue them again with a fresh count of tries."""
    with transaction.atomic():
        ids = list(messages.exclude(state=Message.State.SENT).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            state=Message.State.QUEUED, attempts=0, last_error="", next_attempt_at=timezone.now()
        )
        for message_id in ids:
            transaction.on_commit(partial(hand_to_broker, message_id))
    return len(ids)


def queue_waiting(limit: int = 5000) -> int:
    """The sweep (Celery beat, every minute): hand the broker every queued message that is due and not sent by
    now — one whose hand-over failed (Redis was down), one whose task was lost with a killed worker, one whose
    next try has come. Each is leased, so the next sweep leaves it alone while the broker has it."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=Message.State.QUEUED, next_attempt_at__lte=now - OVERDUE_AFTER)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Message.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE - OVERDUE_AFTER)
        for message_id in due:
            transaction.on_commit(partial(hand_to_broker, message_id))
    return len(due)
