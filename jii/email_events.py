"""What the email provider reports back through its tracking webhook (django-anymail's `tracking` signal, one
receiver for every provider): a hard bounce, a spam complaint or a provider's refusal makes the address
undeliverable. Deliveries, opens and temporary failures change nothing."""

from anymail.signals import EventType, tracking
from django.dispatch import receiver

from jii import services

UNDELIVERABLE = {EventType.BOUNCED: "bounced", EventType.COMPLAINED: "complained", EventType.REJECTED: "rejected"}


@receiver(tracking, dispatch_uid="jii.email_events")
def record_email_event(sender, event, esp_name, **kwargs):
    reason = UNDELIVERABLE.get(event.event_type)
    if reason and event.recipient:
        detail = event.mta_response or event.description or ""
        services.mark_undeliverable(address=event.recipient, reason=reason, detail=detail, reported_at=event.timestamp)
