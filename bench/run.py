"""Page benchmarks: time and queries per request for the shared pages, at demo size and at 50× the data.

Runs on its own SQLite file (bench/bench.sqlite3, recreated each run), so the demo database is left alone. For
PostgreSQL set DATABASE_URL to a scratch database: the run migrates it and loads the demo data into it.
Usage: make bench   (or: .venv/bin/python bench/run.py --repeat 200)
"""

import argparse
import statistics
import sys
import time
from io import StringIO

from common import configure, fresh_database  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench.sqlite3", production=True)


def setup_database():
    fresh_database(BENCH_DB)
    from django.core.management import call_command

    call_command("load_demo_data", stdout=StringIO())


def grow(factor):
    """Add `factor` × the demo's residents and volunteers (bulk inserts)."""
    from jii.models import Area, Resident, User, VolunteerProfile

    stamp = time.time_ns()
    Resident.objects.bulk_create(
        Resident(
            name=f"Bench Resident {i}",
            email=f"bench-{stamp}-{i}@example.com",
            prefecture="tokyo",
            municipality="目黒区",
            household_type="family",
        )
        for i in range(10 * factor)
    )
    users = User.objects.bulk_create(User(email=f"bench-{stamp}-{i}@example.jp") for i in range(11 * factor))
    area = Area.objects.get(code="tokyo-meguro")
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(user=user, gender="female", area=area, nearest_station="目黒", status="approved")
        for user in users
    )


def measure(client, path, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches and templates
    timings = []
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    query_count = len(queries)  # read now: the next request clears the connection's query log
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": query_count,
    }


def run(repeat):
    from django.test import Client

    from jii.models import Resident, User
    from jii.status_links import make_token

    resident = Resident.objects.order_by("pk").first()
    volunteer = User.objects.get(email="sato.haruka@example.jp")
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(volunteer)
    pages = [
        ("home (ja)", anonymous, "/"),
        ("home (en)", anonymous, "/en/"),
        ("status page", anonymous, f"/status/{make_token(resident)}/"),
        ("volunteer page", logged_in, "/volunteer/"),
        ("healthz", anonymous, "/healthz"),
    ]
    return {name: measure(client, path, repeat) for name, client, path in pages}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--factor", type=int, default=50, help="grow the data this many times for the second run")
    args = parser.parse_args()

    setup_database()
    small = run(args.repeat)
    grow(args.factor)
    large = run(args.repeat)

    from django.db import connection

    print(f"database: {connection.vendor}; {args.repeat} requests per page; large = demo + {args.factor}× rows\n")
    print(
        f"{'page':<16} {'median ms':>10} {'p95 ms':>8} {'queries':>8} | {'large median':>12} {'p95':>8} {'queries':>8}"
    )
    for name, figures in small.items():
        big = large[name]
        print(
            f"{name:<16} {figures['median']:>10.2f} {figures['p95']:>8.2f} {figures['queries']:>8} | "
            f"{big['median']:>12.2f} {big['p95']:>8.2f} {big['queries']:>8}"
        )
        if big["queries"] != figures["queries"]:
            print(f"  !! {name}: query count grows with the data")
            sys.exit(1)


if __name__ == "__main__":
    main()
