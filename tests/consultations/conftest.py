from datetime import datetime, time, timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from consultations import services
from consultations.models import Expert, Room, Speciality, WeeklyHours
from jii.models import Language
from tests.factories import ResidentFactory


def committed():
    """Run what is queued on commit (emails) when the block ends, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def make_expert(
    name="高橋 健", email="takahashi@example.jp", topics=("residence", "work"), languages=("ja", "zh"), **extra
):
    expert = Expert.objects.create(name=name, kind="scrivener", email=email, **extra)
    expert.languages.set(Language.objects.filter(code__in=languages))
    Speciality.objects.bulk_create(Speciality(expert=expert, topic=topic) for topic in topics)
    # Every day 9:00–18:00 in Tokyo, so that tests do not depend on the weekday they run.
    WeeklyHours.objects.bulk_create(
        WeeklyHours(expert=expert, weekday=d, starts=time(9), ends=time(18)) for d in range(7)
    )
    return expert


@pytest.fixture
def expert(db):
    return make_expert()


@pytest.fixture
def room(db):
    return Room.objects.create(name="相談室A", address="東京都目黒区下目黒5-27-5")


def submit(resident_email="chen@example.com", topic="residence", language="en", **details):
    resident = ResidentFactory(email=resident_email, name="Chen Li", language=language)
    with committed():
        return services.submit_request(
            email=resident.email,
            language=language,
            resident_details={"name": resident.name, "phone": "", "prefecture": "tokyo", "municipality": "目黒区",
                              "household_type": "single_worker"},
            languages=list(Language.objects.filter(code__in=["zh", "ja"])),
            topic=topic,
            description=details.pop("description", "My visa expires in six weeks and I changed jobs."),
            interpreter_needed=details.pop("interpreter_needed", False),
            urgency=2,
            preferred_times="weekday evenings",
            modes=["in_person"],
        )  # fmt: skip


@pytest.fixture
def case(db):
    return submit()


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A time `days` from today at hour:minute in Tokyo."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


def book(case, expert, *, days=3, hour=10, minutes=60, room=None, mode="phone", interpreter=None):
    starts_at = at(days, hour)
    with committed():
        return services.book_appointment(
            consultation=case,
            expert=expert,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            mode=mode,
            room=room,
            interpreter=interpreter,
        )


def make_interpreter(name="王 芳", email="wang@example.jp", languages=("ja", "zh"), **extra):
    """An interpreter: an expert of that kind, working every day 9:00–18:00 in Tokyo."""
    interpreter = Expert.objects.create(name=name, kind=Expert.Kind.INTERPRETER, email=email, **extra)
    interpreter.languages.set(Language.objects.filter(code__in=languages))
    WeeklyHours.objects.bulk_create(
        WeeklyHours(expert=interpreter, weekday=d, starts=time(9), ends=time(18)) for d in range(7)
    )
    return interpreter
