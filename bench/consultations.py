"""Kurashi consultations benchmark: response time and queries of the intake form, an expert's page, a resident's
status page and the staff's case list, with 10 and with 2,000 cases; and milliseconds per booking (with its
checks and, on PostgreSQL, the exclusion constraints) into an expert's busy calendar.

Runs on its own SQLite file (bench/bench-consultations.sqlite3, recreated each run) unless DATABASE_URL is set.
Usage: make bench   (or: .venv/bin/python bench/consultations.py)
"""

import statistics
import time
from datetime import datetime, timedelta
from datetime import time as clock

from common import configure, fresh_database, measure, report, sign_in_staff  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench-consultations.sqlite3", production=True, EMAIL_URL="dummymail://")


def add_cases(count: int, expert, start: int):
    from django.utils import timezone

    from consultations.models import Appointment, CaseNote, Consultation
    from jii.models import Resident

    now = timezone.now()
    residents = Resident.objects.bulk_create(
        Resident(name=f"R{start + n}", email=f"c{start + n}@example.com", prefecture="tokyo", municipality="目黒区",
                 household_type="other")
        for n in range(count)
    )  # fmt: skip
    # One case in 40 is the expert's and open; the rest are closed cases whose past appointments fill the
    # expert's calendar (an expert keeps every open case they had an appointment in).
    cases = Consultation.objects.bulk_create(
        Consultation(resident=resident, topic="residence", description="…", consented_at=now, modes=["phone"],
                     status="accepted" if n % 40 == 0 else "closed", expert=expert if n % 40 == 0 else None)
        for n, resident in enumerate(residents)
    )  # fmt: skip
    CaseNote.objects.bulk_create(CaseNote(consultation=case, author=expert.user, text="note") for case in cases)
    Appointment.objects.bulk_create(
        Appointment(consultation=case, expert=expert, mode="phone", starts_at=now - timedelta(days=400 + start + n),
                    ends_at=now - timedelta(days=400 + start + n) + timedelta(hours=1))
        for n, case in enumerate(cases)
    )  # fmt: skip
    return residents[0]


def main():
    fresh_database(BENCH_DB)
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from consultations import services
    from consultations.models import Consultation, Expert, WeeklyHours
    from jii.groups import sync_group_permissions
    from jii.models import User
    from jii.status_links import make_token

    sync_group_permissions()
    expert_user = User.objects.create(email="bench-expert@example.jp", name="Expert")
    expert = Expert.objects.create(name="Expert", kind="lawyer", email="e@example.jp", user=expert_user)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(expert=expert, weekday=d, starts=clock(0), ends=clock(23, 59)) for d in range(7)
    )
    staff = User.objects.create(email="bench-staff@example.jp", is_staff=True)
    staff.groups.set(Group.objects.filter(name="consultation staff"))
    expert_client, staff_client, anonymous = Client(), Client(), Client()
    expert_client.force_login(expert_user)
    sign_in_staff(staff_client, staff)
    rows, total = [], 0
    for cases in (10, 2000):
        resident = add_cases(cases - total, expert, total)
        total = cases
        for name, client, path in (
            ("intake form", anonymous, "/consultations/request/"),
            ("expert's page", expert_client, "/consultations/expert/"),
            ("status page", anonymous, f"/status/{make_token(resident)}/"),
            ("staff case list", staff_client, "/admin/consultations/consultation/"),
        ):
            rows.append((cases, name, *measure(client, path, repeat=30)))
    # Bookings, one after another, into a calendar that already holds `total` appointments.
    timings = []
    day = timezone.localdate() + timedelta(days=2)
    to_book = Consultation.objects.filter(expert__isnull=True).values_list("pk", flat=True)[:100]
    Consultation.objects.filter(pk__in=list(to_book)).update(status="accepted")  # open again, to be booked
    for n, case in enumerate(Consultation.objects.filter(expert__isnull=True, status="accepted")):
        starts = timezone.make_aware(datetime.combine(day, clock(0))) + timedelta(minutes=30 * (n % 40))
        started = time.perf_counter()
        services.book_appointment(
            consultation=case, expert=expert, starts_at=starts + timedelta(days=n // 40), mode="phone",
            ends_at=starts + timedelta(days=n // 40, minutes=30),
        )  # fmt: skip
        timings.append((time.perf_counter() - started) * 1000)
    print(f"database: {connection.vendor}")
    report(rows, "cases")
    print(f"booking into a calendar of {total} appointments: median {statistics.median(timings):.1f} ms per booking")


if __name__ == "__main__":
    main()
