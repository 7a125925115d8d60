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

from common import configure, fresh_database, ready_to_help  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench.sqlite3", production=True)
RESIDENTS_LANGUAGES = ["ja-easy", "zh-hans", "vi", "ne", "uk", "fa-af"]
# Readings over every kanji may cost at most half as much again as the Japanese page (issue 13).
FURIGANA_PAGES = [("home (ja)", "home (ja-easy)"), ("enrol form (ja)", "enrol form (ja-easy)"),
                  ("status page", "status (ja-easy)")]  # fmt: skip


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
    ready_to_help(
        VolunteerProfile.objects.bulk_create(
            VolunteerProfile(user=user, gender="female", area=area, nearest_station="目黒", status="approved")
            for user in users
        )
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
    status = f"status/{make_token(resident)}/"
    pages = [
        ("home (ja)", anonymous, "/"),
        ("home (en)", anonymous, "/en/"),
        *[(f"home ({code})", anonymous, f"/{code}/") for code in RESIDENTS_LANGUAGES],
        ("enrol form (ja)", anonymous, "/hanamaru/enroll/"),
        ("enrol form (ja-easy)", anonymous, "/ja-easy/hanamaru/enroll/"),
        ("status page", anonymous, f"/{status}"),
        ("status (ja-easy)", anonymous, f"/ja-easy/{status}"),
        ("status (fa-af)", anonymous, f"/fa-af/{status}"),
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
        f"{'page':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8} | {'large median':>12} {'p95':>8} {'queries':>8}"
    )
    for name, figures in small.items():
        big = large[name]
        print(
            f"{name:<22} {figures['median']:>10.2f} {figures['p95']:>8.2f} {figures['queries']:>8} | "
            f"{big['median']:>12.2f} {big['p95']:>8.2f} {big['queries']:>8}"
        )
        if big["queries"] != figures["queries"]:
            print(f"  !! {name}: query count grows with the data")
            sys.exit(1)
    homes = {name: figures["queries"] for name, figures in small.items() if name.startswith("home")}
    if len(set(homes.values())) != 1:
        print(f"  !! the home page runs a different number of queries in some language: {homes}")
        sys.exit(1)
    print("\nfurigana (plain Japanese / Japanese, median):")
    for japanese, easy in FURIGANA_PAGES:
        ratio = small[easy]["median"] / small[japanese]["median"]
        print(f"  {easy:<22} {ratio:.2f}× (at most 1.5×)")
        if ratio > 1.5:
            print(f"  !! {easy} costs more than 1.5× {japanese}")
            sys.exit(1)
    print(f"  first render of the enrol form, readings not yet cached: {cold_furigana_ms():.1f} ms")


def cold_furigana_ms():
    """One plain-Japanese page with an empty readings cache (after a restart): the cost MeCab adds at most."""
    from django.test import Client

    from jii import furigana

    client = Client()
    client.get("/ja-easy/hanamaru/enroll/")  # templates and catalogs loaded
    furigana.ruby_text.cache_clear()
    furigana._pieces.cache_clear()
    started = time.perf_counter()
    client.get("/ja-easy/hanamaru/enroll/")
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
