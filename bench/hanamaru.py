"""Hanamaru benchmark: response time and queries of the class list, the enrolment form, a guardian's status page
and a tutor's page, with 3 classes and with 300 classes (12 sessions, 10 children and tutors each).

Runs on its own SQLite file (bench/bench-hanamaru.sqlite3, recreated each run) unless DATABASE_URL is set.
Usage: make bench   (or: .venv/bin/python bench/hanamaru.py)
"""

from datetime import timedelta

from common import configure, fresh_database, measure, ready_to_help, report  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench-hanamaru.sqlite3", production=True)


def add_classes(count: int, tutors, start_index: int):
    """Classes with a term of 12 weekly sessions, 10 children each (8 with places, 2 waiting), 2 tutors a session."""
    from django.utils import timezone

    from hanamaru.models import Child, Class, ConsentText, Enrolment, Session, TutorSignup
    from jii.models import Area, Resident

    area = Area.objects.get(code="tokyo-meguro")
    consent = ConsentText.objects.latest()
    now = timezone.now()
    classes = Class.objects.bulk_create(
        Class(name={"ja": f"クラス {start_index + n}", "en": f"Class {start_index + n}"}, venue={"ja": "会場"},
              address={"ja": "目黒区"}, area=area, level="reading", age_band="lower_primary", capacity=8,
              tutors_needed=2)
        for n in range(count)
    )  # fmt: skip
    sessions = Session.objects.bulk_create(
        Session(klass=klass, starts_at=now + timedelta(days=7 * week + 1), ends_at=now + timedelta(days=7 * week + 1,
                minutes=90))
        for klass in classes
        for week in range(12)
    )  # fmt: skip
    guardians = Resident.objects.bulk_create(
        Resident(name=f"G{start_index}-{n}", email=f"g{start_index}-{n}@example.com", prefecture="tokyo",
                 municipality="目黒区", household_type="family")
        for n in range(count * 5)
    )  # fmt: skip
    children = Child.objects.bulk_create(
        Child(guardian=guardians[n // 2], first_name=f"C{n}", family_name="F", age=8, japanese_level="kana")
        for n in range(count * 10)
    )
    Enrolment.objects.bulk_create(
        Enrolment(child=child, klass=classes[n // 10], status="enrolled" if n % 10 < 8 else "waiting",
                  consent=consent, consented_at=now)
        for n, child in enumerate(children)
    )  # fmt: skip
    TutorSignup.objects.bulk_create(
        TutorSignup(session=session, volunteer=tutors[(n + k) % len(tutors)])
        for n, session in enumerate(sessions)
        for k in range(2)
    )
    return guardians[0]


def main():
    fresh_database(BENCH_DB)
    from django.db import connection
    from django.test import Client

    from jii.models import Area, User, VolunteerProfile
    from jii.status_links import make_token

    area = Area.objects.get(code="tokyo-meguro")
    users = [User.objects.create(email=f"bench-tutor{n}@example.jp", name=f"Tutor {n}") for n in range(20)]
    tutors = [VolunteerProfile.objects.create(user=u, status="approved", gender="female", area=area) for u in users]
    ready_to_help(tutors)
    client = Client()
    client.force_login(users[0])
    rows = []
    total = 0
    for classes in (3, 300):
        guardian = add_classes(classes - total, tutors, total)
        total = classes
        for name, path in (
            ("class list", "/hanamaru/"),
            ("enrolment form", "/hanamaru/enroll/"),
            ("guardian's status page", f"/status/{make_token(guardian)}/"),
            ("tutor's page", "/volunteer/"),
        ):
            rows.append((classes, name, *measure(client, path)))
    print(f"database: {connection.vendor}")
    report(rows, "classes")


if __name__ == "__main__":
    main()
