"""The migration onto the outbox keeps what was sent: a daily job run after it sends no old email again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jii.models import Message
from spot.tasks import run_daily_spot_jobs
from tests.factories import SpotRequestFactory, approved_volunteer


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emails_sent_before_the_outbox_are_not_sent_again(django_capture_on_commit_callbacks):
    volunteer = approved_volunteer()
    tomorrow = timezone.localdate() + timedelta(days=1)
    reminded = SpotRequestFactory(status="accepted", volunteer=volunteer, agreed_on=tomorrow)
    escalated = SpotRequestFactory(created_at=timezone.now() - timedelta(hours=50))

    executor = MigrationExecutor(connection)
    executor.migrate([("spot", "0001_initial")])
    old = executor.loader.project_state([("spot", "0001_initial")]).apps
    Notification = old.get_model("spot", "Notification")
    Notification.objects.create(request_id=reminded.pk, kind="reminder", key=f"{volunteer.pk}:{tomorrow.isoformat()}")
    Notification.objects.create(request_id=reminded.pk, kind="received", key="")
    Notification.objects.create(request_id=escalated.pk, kind="escalated", key="")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    sent = set(Message.objects.filter(state="sent").values_list("once_key", flat=True))
    once = f"{reminded.pk}:{volunteer.pk}:{tomorrow.isoformat()}"
    assert sent == {
        f"spot_reminder_resident:{once}",
        f"spot_reminder_volunteer:{once}",
        f"spot_request_received:{reminded.pk}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert run_daily_spot_jobs() == {
            "alerted": 0,
            "wider_round": 0,
            "escalated": 0,
            "digests": 0,
            "reminded": 0,
            "feedback": 0,
        }
    assert mail.outbox == []
