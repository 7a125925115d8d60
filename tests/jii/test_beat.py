"""What Celery beat starts: each entry of the schedule names a task the worker knows, which runs with no
arguments (beat gives none), at the hours of Tokyo. The program tests run their daily jobs through beat_task(), so
they test what beat actually starts."""

import inspect
from datetime import UTC, datetime
from unittest import mock

from celery.beat import ScheduleEntry
from django.conf import settings

from config.celery import app as celery_app


def beat_task(entry_name: str):
    """The task beat starts for this entry of the schedule, as the worker finds it by name."""
    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks module
    return celery_app.tasks[settings.CELERY_BEAT_SCHEDULE[entry_name]["task"]]


def test_every_entry_names_a_task_the_worker_knows_and_that_needs_no_arguments():
    for name in settings.CELERY_BEAT_SCHEDULE:
        task = beat_task(name)  # a KeyError for a task renamed or moved without its entry
        inspect.signature(task.run).bind()  # a TypeError for a task that needs an argument beat does not give


def test_the_morning_reminder_comes_at_nine_in_tokyo_not_at_nine_utc():
    entry = ScheduleEntry(
        name="remind-pending-volunteer-approvals",
        app=celery_app,
        last_run_at=datetime(2026, 1, 10, 0, 0, tzinfo=UTC),  # 9:00 on 10 January in Tokyo
        **settings.CELERY_BEAT_SCHEDULE["remind-pending-volunteer-approvals"],
    )

    def due_at(now):
        with mock.patch.object(celery_app, "now", return_value=now):
            return entry.is_due().is_due

    assert not due_at(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))  # 18:00 in Tokyo
    assert not due_at(datetime(2026, 1, 10, 23, 59, tzinfo=UTC))  # 8:59 the next morning in Tokyo
    assert due_at(datetime(2026, 1, 11, 0, 0, tzinfo=UTC))  # 9:00 in Tokyo
