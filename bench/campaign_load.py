"""Load test of the campaign page: gunicorn (2 sync workers) on PostgreSQL with Redis as the cache, a campaign
with 100,000 donations, 50 concurrent clients (wrk) on loopback. The same gunicorn also serves a static copy of
the page's HTML through whitenoise; the report compares the two. Target: at least 0.8 of the static throughput.
Then a press-release surge: 500 connections on the campaign page, its p99 and errors (non-2xx answers and socket
errors, timeouts included); any error makes the script exit 1.

Needs PostgreSQL, Redis and wrk (Debian package). Uses its own database (bench_campaign) and Redis database 2.
Usage: .venv/bin/python bench/campaign_load.py [--seconds 15] [--donations 100000]
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATIC_ROOT = ROOT / "bench" / "static-root"
ENV = {
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_campaign"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
    "CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
    "DEBUG": "False",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleTA=",  # base64 of a bench-only 32 bytes
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "False",
    "SESSION_COOKIE_SECURE": "False",
    "CSRF_COOKIE_SECURE": "False",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_ROOT": str(STATIC_ROOT),
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
PORT = 8077
warnings.filterwarnings("ignore", message="No directory at")


def create_database():
    import psycopg

    url = ENV["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def populate(donations: int) -> str:
    import django

    os.environ.update(ENV)
    django.setup()
    from io import StringIO

    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from donations.models import Campaign, Donation, Payment

    call_command("migrate", verbosity=0)
    call_command("load_demo_data", stdout=StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    cache.clear()
    campaign = Campaign.objects.get()
    now = timezone.now()
    batch = 10_000
    for start in range(0, donations, batch):
        created = Donation.objects.bulk_create(
            Donation(campaign=campaign, amount_yen=3000, name=f"Donor {i}", email=f"d{i}@example.com", consented_at=now,
                     started_at=now, status="active", frequency="monthly" if i % 10 == 0 else "once",
                     message="応援しています！" if i % 1000 == 0 else "",
                     message_status="approved" if i % 1000 == 0 else "none")
            for i in range(start, min(start + batch, donations))
        )  # fmt: skip
        Payment.objects.bulk_create(
            Payment(donation=d, campaign=campaign, amount_yen=d.amount_yen, received_at=now) for d in created
        )
    from django.test import Client

    html = Client().get(f"/donate/{campaign.slug}/").content
    (STATIC_ROOT / "bench").mkdir(parents=True, exist_ok=True)
    (STATIC_ROOT / "bench" / "campaign.html").write_bytes(html)
    return campaign.slug


def wait_until_up(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url) as response:  # noqa: S310 (our own server on loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def wrk(url, seconds, connections=50, threads=2):
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(label):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors(output),
    }


def errors(output: str) -> int:
    """Non-2xx answers and socket errors (connect, read, write, timeout) in wrk's report."""
    found = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return (int(found[1]) if found else 0) + (sum(map(int, sockets.groups())) if sockets else 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--donations", type=int, default=100_000)
    args = parser.parse_args()
    # 500 connections need 500 sockets in wrk and up to as many in gunicorn (both inherit this limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    create_database()
    slug = populate(args.donations)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **ENV},
    )  # fmt: skip
    try:
        page, static = f"http://127.0.0.1:{PORT}/donate/{slug}/", f"http://127.0.0.1:{PORT}/static/bench/campaign.html"
        wait_until_up(page)
        wait_until_up(static)
        wrk(page, 3)  # warm both workers' caches and connections
        results = {"campaign page": wrk(page, args.seconds), "static copy": wrk(static, args.seconds)}
        surge = wrk(page, args.seconds, connections=500, threads=4)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.donations:,} donations; gunicorn 2 sync workers; wrk 2 threads, 50 connections, {args.seconds} s")
    print(f"{'':<14} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, result in results.items():
        print(f"{name:<14} {result['rps']:>11.0f} {result['p50']:>8.2f} {result['p99']:>8.2f} {result['errors']:>7}")
    ratio = results["campaign page"]["rps"] / results["static copy"]["rps"]
    met = ratio >= 0.8 and not any(r["errors"] for r in results.values())
    print(f"page / static throughput: {ratio:.2f} (target >= 0.8): {'met' if met else 'MISSED'}")
    print(
        f"surge, wrk 4 threads, 500 connections: campaign page {surge['rps']:.0f} requests/s,"
        f" p50 {surge['p50']:.2f} ms, p99 {surge['p99']:.2f} ms, {surge['errors']} errors (target 0)"
    )
    if surge["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
