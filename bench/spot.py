"""Spot board benchmark: response time and queries of /spot/board/ with 10 and with 10,000 open requests.

Runs on its own SQLite file (bench/bench-spot.sqlite3, recreated each run) unless DATABASE_URL is set (then use a
scratch database). Usage: make bench   (or: .venv/bin/python bench/spot.py)
"""

import random
import sys
import time

from common import configure, fresh_database, measure, ready_to_help  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench-spot.sqlite3", production=True)


def setup():
    fresh_database(BENCH_DB)


def add_open_requests(count, rng):
    from django.utils import timezone

    from jii.models import Area, Language, Resident
    from spot.models import TOPICS_BY_CATEGORY, SpotRequest

    areas = list(Area.objects.all())
    languages = list(Language.objects.all())
    stamp = time.time_ns()
    residents = Resident.objects.bulk_create(
        Resident(name=f"R{i}", email=f"spot-{stamp}-{i}@example.com", prefecture="tokyo", municipality="-",
                 household_type="other")
        for i in range(count)
    )  # fmt: skip
    now = timezone.now()
    requests = []
    for resident in residents:
        category = rng.choice(list(TOPICS_BY_CATEGORY))
        requests.append(
            SpotRequest(
                resident=resident,
                category=category,
                topic=rng.choice(TOPICS_BY_CATEGORY[category]),
                description="…",
                modes=["phone"],
                area=rng.choice(areas),
                urgency=rng.choice([1, 2, 3]),
                consented_at=now,
                created_at=now,
            )
        )
    requests = SpotRequest.objects.bulk_create(requests)
    SpotRequest.languages.through.objects.bulk_create(
        SpotRequest.languages.through(spotrequest=r, language=rng.choice(languages)) for r in requests
    )


def main():
    setup()
    from django.db import connection
    from django.test import Client

    from jii.models import Area, User, VolunteerProfile

    rng = random.Random(7)
    user = User.objects.create(email="bench-volunteer@example.jp")
    ready_to_help(
        [VolunteerProfile.objects.create(user=user, status="approved", gender="female", area=Area.objects.first())]
    )
    client = Client()
    client.force_login(user)
    rows = []
    for total in (10, 10_000):
        from spot.models import SpotRequest

        add_open_requests(total - SpotRequest.objects.count(), rng)
        for path in ("/spot/board/", "/spot/board/?prefecture=tokyo&category=healthcare", "/spot/board/?page=100"):
            rows.append((total, path, *measure(client, path)))
    print(f"database: {connection.vendor}")
    print(f"{'open requests':>13}  {'page':<52} {'median ms':>9} {'p95 ms':>7} {'queries':>7}")
    for total, path, median, p95, count in rows:
        print(f"{total:>13}  {path:<52} {median:>9.1f} {p95:>7.1f} {count:>7}")
    counts = {count for *_rest, count in rows}
    if len(counts) != 1:
        print("!! the board's query count changes with the data")
        sys.exit(1)


if __name__ == "__main__":
    main()
