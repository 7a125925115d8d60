"""The fault suite: what the real stack's pieces do when one of them fails. The tests start what they need
themselves: a Redis server of their own on a free port (so stopping it stops nobody else), and real Celery
workers as subprocesses (tests/jii/test_celery_worker.py)."""

import email
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from email import policy

import pytest
from django.conf import settings

from config.celery import app as celery_app

# The marks of a fault test that needs a real Celery worker: Redis, and a database the worker process shares.
REAL_STACK = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker and worker"),
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


def emails_in(mail_dir) -> list:
    """Every complete email the workers wrote (the file backend may append several to one file)."""
    found = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip(), policy=policy.default))
    return found
