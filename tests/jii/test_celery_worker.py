"""A real Celery worker, in its own process, sends the approval email queued by the service.

Runs only against the real stack (REDIS_URL set, and a database a second process can reach, i.e. PostgreSQL):
without REDIS_URL the embedded default runs tasks eagerly and there is no broker to talk to.
"""

import email
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from config.celery import app as celery_app
from jii.models import VolunteerProfile
from jii.services import approve_volunteer
from tests.factories import CoordinatorFactory, VolunteerFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL: without it Celery runs tasks eagerly in-process and there is no broker",
    ),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs DATABASE_URL=postgres://...: the worker process must share the test database",
    ),
]

TIMEOUT = 60  # seconds, for the worker to start and, again, for the email to arrive
FILE_EMAIL_SEPARATOR = b"-" * 79  # Django's file backend ends every message with this line


def database_url(database: dict) -> str:
    """DATABASE_URL for the database this test process uses (after setup: the test database)."""
    credentials = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database.get("HOST") or "localhost"
    if ":" in host:
        host = f"[{host}]"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(database['NAME'], safe='')}"


def log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_worker(tmp_path: Path, broker_url: str, name: str = "worker"):
    """A worker process on the test database and this broker, with email written to files in tmp_path/mail."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    log_path = tmp_path / f"{name}.log"
    hostname = f"jii-test-{uuid.uuid4().hex[:12]}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": f"filemail:///{quote(str(mail_dir))}",  # filemail:////abs/path: path is after the third /
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if celery_app.conf.result_backend:
        env["CELERY_RESULT_BACKEND"] = celery_app.conf.result_backend
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
    command += ["-l", "info", "-n", hostname, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + TIMEOUT
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {process.returncode}:\n{log_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker was not ready after {TIMEOUT}s:\n{log_tail(log_path)}")
            time.sleep(0.2)
        yield {"mail_dir": mail_dir, "log": log_path, "process": process}
    finally:
        if process.poll() is None:
            process.terminate()  # warm shutdown: finishes the task in hand, closes its database connection
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def celery_worker_process(transactional_db, django_db_serialized_rollback, tmp_path):
    """A worker on the test database and the configured broker.

    Depends on the database fixture so that it is stopped before pytest-django flushes or drops the test
    database (an open connection would make DROP DATABASE wait). `serialized_rollback` keeps the languages and
    groups that migrations create, which a transactional test would otherwise find flushed away.
    """
    if celery_app.conf.task_always_eager:
        pytest.skip("CELERY_TASK_ALWAYS_EAGER is on, so the task would run in this process, not in the worker")
    # Tasks left in the queue by earlier runs (or by tests that published without a worker) would otherwise be
    # picked up first, or even send a second email to a reused profile id.
    celery_app.control.purge()
    with running_worker(tmp_path, celery_app.conf.broker_url) as worker:
        yield worker


def wait_for_email(mail_dir: Path, log_path: Path) -> email.message.EmailMessage:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log")):
            data = path.read_bytes()
            if data.rstrip().endswith(FILE_EMAIL_SEPARATOR):  # completely written
                return email.message_from_bytes(data.rstrip()[: -len(FILE_EMAIL_SEPARATOR)], policy=policy.default)
        time.sleep(0.2)
    pytest.fail(f"no email from the worker after {TIMEOUT}s; worker log:\n{log_tail(log_path)}")


def test_a_real_worker_sends_the_approval_email_in_the_volunteers_language(celery_worker_process):
    volunteer = VolunteerFactory(language="en", name="Alex Smith", profile__status="pending")
    coordinator = CoordinatorFactory()

    assert approve_volunteer(profile=volunteer.volunteer_profile, approved_by=coordinator) is True

    message = wait_for_email(celery_worker_process["mail_dir"], celery_worker_process["log"])
    log = log_tail(celery_worker_process["log"])
    assert message["To"] == volunteer.email, log
    assert message["Subject"] == "You are now an approved JII volunteer", log
    assert message.get_content_type() == "multipart/alternative", log
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, f"expected a text and an HTML part:\n{message}"
    assert "Dear Alex Smith," in text.get_content()
    assert "A JII coordinator has approved your volunteer profile." in text.get_content()
    assert '<html lang="en" dir="ltr">' in html.get_content()
    assert "A JII coordinator has approved your volunteer profile." in html.get_content()
    assert "/en/volunteer/" in html.get_content()
    assert len(list(celery_worker_process["mail_dir"].glob("*.log"))) == 1

    profile = VolunteerProfile.objects.get(user=volunteer)
    assert profile.status == VolunteerProfile.Status.APPROVED
    assert profile.approved_by == coordinator
    assert profile.approved_at is not None
