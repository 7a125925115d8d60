"""Faults on the real stack (PostgreSQL, Redis, a real worker): Redis stops between a resident's form and the
hand-over of its confirmation, and comes back; the form answers as usual, the worker reconnects, and the message
is delivered once.

The broker here is a Redis server of the test's own (on a free port), so that stopping it stops nobody else.
"""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.conf import settings

from jii import outbox
from jii.celery import app as celery_app
from jii.models import Message, Resident
from tests.jii.test_celery_worker import TIMEOUT, log_tail, running_worker, wait_for_email
from tests.spot.test_pages import request_form

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: the real stack"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: the worker process shares the test database",
    ),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a broker of its own"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, port: int):
        self.port, self.process = port, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def this_process_publishes_to(url: str):
    """Point this process's Celery app at another broker (its connection and producer pools are per broker)."""
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        celery_app._pool = celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(transactional_db, django_db_serialized_rollback):
    if celery_app.conf.task_always_eager:
        pytest.skip("CELERY_TASK_ALWAYS_EAGER is on: no broker is used")
    server = RedisServer(free_port())
    server.start()
    with this_process_publishes_to(server.url):
        yield server
    if server.process.poll() is None:
        server.stop()


def wait_until(condition, what: str, log):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {TIMEOUT}s; worker log:\n{log_tail(log)}")
        time.sleep(0.2)


def test_with_redis_down_the_form_answers_as_usual_and_the_confirmation_goes_once_redis_is_back(
    broker, client, tmp_path
):
    with running_worker(tmp_path, broker.url) as worker:
        broker.stop()  # the worker is running and loses its broker

        response = client.post("/vi/spot/request/", request_form(email="mai@example.org"))

        assert (response.status_code, response["Location"]) == (302, "/vi/spot/request/thanks/")
        assert Resident.objects.filter(email="mai@example.org").count() == 1
        message = Message.objects.get(resident__email="mai@example.org")
        assert (message.state, message.attempts) == ("queued", 0)  # waiting in the database, not lost

        broker.start()  # Redis is back on the same port: the worker reconnects by itself
        # The next minute's sweep finds the message overdue (moved back here instead of waiting two minutes).
        Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at - outbox.OVERDUE_AFTER)
        assert outbox.queue_waiting() == 1

        email = wait_for_email(worker["mail_dir"], worker["log"])
        assert email["To"] == "mai@example.org"
        assert "/vi/status/" in email.get_body(preferencelist=("plain",)).get_content()  # the status link
        message.refresh_from_db()
        assert (message.state, message.attempts) == ("sent", 1)
        assert outbox.queue_waiting() == 0  # a sweep after that sends nothing more
        time.sleep(1)
        assert len(list(worker["mail_dir"].glob("*.log"))) == 1, log_tail(worker["log"])
