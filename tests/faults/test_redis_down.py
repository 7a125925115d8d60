"""Faults on the real stack (PostgreSQL, Redis, a real worker): Redis, broker and cache both, stops while
residents send the four programs' forms, and comes back; every form answers as usual, every record is saved once,
the worker reconnects, and every confirmation is delivered once.

The Redis here is a server of the test's own (on a free port), so that stopping it stops nobody else.
"""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.utils import timezone

from jii import outbox
from jii.celery import app as celery_app
from jii.models import Message, Resident
from tests.consultations.test_intake_and_desk import intake
from tests.faults import REAL_STACK
from tests.faults.test_worker_killed import emails_in
from tests.hanamaru.conftest import klass  # noqa: F401 (a fixture)
from tests.hanamaru.test_pages import enrol_form
from tests.jii.test_celery_worker import TIMEOUT, log_tail, running_worker
from tests.matching.test_pages import application_form
from tests.spot.test_pages import request_form

pytestmark = [
    *REAL_STACK,
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


def test_with_redis_down_every_form_answers_as_usual_and_every_confirmation_goes_once_redis_is_back(
    broker,
    client,
    tmp_path,
    settings,
    klass,  # noqa: F811
):
    # The cache on the same Redis, as in production: page caches and the forms' limits go down with it.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": broker.url.replace("/0", "/1"), "OPTIONS": {}}
    }
    forms = {
        "spot/request/": request_form(email="mai@example.org"),
        "ofp/apply/": application_form(email="an@example.org"),
        "hanamaru/enroll/": enrol_form(klass, email="ana@example.org"),
        "consultations/request/": intake(email="chen@example.org"),
    }
    with running_worker(tmp_path, broker.url) as worker:
        broker.stop()  # the worker is running and loses its broker; this process its broker and its cache

        answers = {path: client.post(f"/vi/{path}", data) for path, data in forms.items()}
        assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(forms, 302)
        addresses = sorted(data["email"] for data in forms.values())
        assert sorted(Resident.objects.values_list("email", flat=True)) == addresses  # each saved once
        messages = Message.objects.filter(resident__email__in=addresses)
        assert sorted(messages.values_list("state", "attempts")) == [("queued", 0)] * 4  # waiting, not lost

        broker.start()  # Redis is back on the same port: the worker reconnects by itself
        # The next minute's sweep finds the messages overdue (moved back here instead of waiting two minutes).
        messages.update(next_attempt_at=timezone.now() - outbox.OVERDUE_AFTER)
        assert outbox.queue_waiting() == 4

        wait_until(lambda: messages.filter(state="sent").count() == 4, "four confirmations sent", worker["log"])
        assert sorted(messages.values_list("state", "attempts")) == [("sent", 1)] * 4
        assert outbox.queue_waiting() == 0  # a sweep after that sends nothing more
        time.sleep(1)
        sent = [email["To"] for email in emails_in(worker["mail_dir"])]
        assert sorted(sent) == addresses  # one each
        assert all(
            "/vi/status/" in email.get_body(preferencelist=("plain",)).get_content()
            for email in emails_in(worker["mail_dir"])
        )
