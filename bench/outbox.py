"""Outbox benchmark: N messages written by services (each in its own transaction) and delivered by one real
Celery worker, against sending the same emails directly, in one loop, as the services did before the outbox, with
the same email backend: SMTP, to a real SMTP server (aiosmtpd) on this machine that counts what it receives and
answers each message after --latency-ms (20 ms by default: a mail provider's SMTP endpoint takes 20-100 ms; on
loopback with no wait, a send costs about what a broker round trip does, so the ratio would measure this machine).
The worker runs as docker-compose runs it (prefork, two processes). Target: the outbox at most 1.3x the direct
sends, wall clock from the first message to the last one received, every message received once.

Needs the real stack: PostgreSQL (BENCH_DATABASE_URL, default the machine's scratch database `test`) and Redis
(BENCH_REDIS_URL); without them it says so and passes.
Usage: .venv/bin/python bench/outbox.py [--count 10000] [--latency-ms 20]
"""

import argparse
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from common import ROOT, configure  # noqa: E402 (bench/common.py sets the path)

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
MAIL = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8025"))


def reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
        return True
    except OSError:
        return False


def smtp_server(port: int, received, latency: float) -> None:
    """Runs in its own process: accepts every message after `latency` seconds and counts it."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(latency)
            with received.get_lock():
                received.value += 1
            return "250 OK"

    Controller(Counting(), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


def wait_for(received, count: int, worker=None) -> None:
    while received.value < count:
        if worker is not None and worker.poll() is not None:
            sys.exit(f"!! the worker exited:\n{(MAIL / 'worker.log').read_text()}")
        time.sleep(0.05)


def start_worker(env: dict) -> subprocess.Popen:
    log = MAIL / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2", "-l", "warning"]
    command += ["-n", "outbox-bench@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    time.sleep(4)  # ready long before the first message is committed
    if process.poll() is not None:
        sys.exit(f"!! the worker exited:\n{log.read_text()}")
    return process


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20)
    args = parser.parse_args()
    if not (reachable(DATABASE_URL) and reachable(REDIS_URL)):
        print("outbox bench skipped: it needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL)")
        return
    env = {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "CONN_MAX_AGE": "60",
    }
    configure("unused", **env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from config.celery import app
    from jii import outbox
    from jii.emails import send_localized_email
    from jii.models import Message, Resident
    from jii.outbox import base_context

    call_command("migrate", verbosity=0)
    Message.objects.all().delete()
    Resident.objects.filter(email__endswith="@outbox-bench.example").delete()
    languages = ["ja", "en", "vi", "zh-hans", "ne", "uk", "fa-af", "ja-easy"]
    residents = Resident.objects.bulk_create(
        Resident(
            name=f"Resident {i}", email=f"r{i}@outbox-bench.example", language=languages[i % len(languages)],
            prefecture="tokyo", municipality="Meguro", household_type="family",
        )
        for i in range(args.count)
    )  # fmt: skip

    received = multiprocessing.Value("i", 0)
    latency = args.latency_ms / 1000
    server = multiprocessing.Process(target=smtp_server, args=(SMTP_PORT, received, latency), daemon=True)
    server.start()
    time.sleep(1)
    started = time.perf_counter()
    for resident in residents:  # what the services did before the outbox: send in the request
        context = {"name": resident.name, "status_url": base_context(Message(resident=resident))["status_url"]}
        send_localized_email("status_link", to=resident.email, language=resident.language, context=context)
    wait_for(received, args.count)
    direct = time.perf_counter() - started

    app.control.purge()
    received.value = 0
    worker = start_worker({**os.environ, **env})
    try:
        started = time.perf_counter()
        for resident in residents:
            with transaction.atomic():
                outbox.queue("status_link", once=f"bench:{resident.pk}", to=resident)
        queued = time.perf_counter() - started
        wait_for(received, args.count, worker)
        through_outbox = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    sent = Message.objects.filter(state=Message.State.SENT).count()
    time.sleep(1)  # anything sent twice would arrive now
    emails = received.value
    server.terminate()
    Message.objects.all().delete()
    Resident.objects.filter(email__endswith="@outbox-bench.example").delete()
    shutil.rmtree(MAIL, ignore_errors=True)

    ratio = through_outbox / direct
    print(f"SMTP server answering after {args.latency_ms:g} ms")
    print(f"{args.count} emails sent directly: {direct:.1f} s ({direct / args.count * 1000:.2f} ms each)")
    print(
        f"{args.count} through the outbox and one worker: {through_outbox:.1f} s "
        f"({through_outbox / args.count * 1000:.2f} ms each; writing the rows took {queued:.1f} s) "
        f"-> {ratio:.2f}x; {sent} sent, {emails} received"
    )
    if sent != args.count or emails != args.count or ratio > 1.3:
        print("!! a target is missed (every message sent once, at most 1.3x the direct sends)")
        sys.exit(1)
    print("targets met (every message sent once, at most 1.3x the direct sends)")


if __name__ == "__main__":
    main()
