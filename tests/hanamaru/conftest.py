from datetime import datetime, timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from hanamaru import services
from hanamaru.models import Class, ConsentText, Session
from jii.models import Area, Language

TOKYO = timezone.get_fixed_timezone(9 * 60)


@pytest.fixture
def klass(db):
    return Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室", "en": "JII Meguro activity room"},
        address={"ja": "東京都目黒区下目黒5-27-5", "en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo"},
        access_notes={"ja": "不動前駅から徒歩7分", "en": "7 minutes from Fudomae Station"},
        area=Area.objects.get(code="tokyo-meguro"),
        level="first_steps",
        age_band="lower_primary",
        capacity=2,
        tutors_needed=2,
    )


def session_in(klass, *, days=0, hours=0, length=timedelta(minutes=90)) -> Session:
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days, hours=hours)
    return Session.objects.create(klass=klass, starts_at=starts, ends_at=starts + length)


def child(first_name="Lucas", family_name="Silva", age=7, language="pt", level="speaks", **details):
    return {
        "first_name": first_name,
        "family_name": family_name,
        "age": age,
        "school": details.pop("school", "目黒区立 小学校 2年"),
        "japanese_level": level,
        "needs": details.pop("needs", ""),
        "home_languages": [Language.objects.get(code=language)],
    }


def committed():
    """Run what is queued on commit (emails) when the block ends, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def enrol(klass, *children, email="ana@example.com", name="Ana Silva", language="en"):
    with committed():
        return services.enrol(
            email=email,
            language=language,
            languages=[Language.objects.get(code="pt")],
            resident_details={
                "name": name,
                "phone": "",
                "prefecture": "tokyo",
                "municipality": "目黒区",
                "household_type": "family",
            },
            klass=klass,
            children=list(children) or [child()],
            consent_version=ConsentText.objects.latest().version,
        )


def local(value: datetime) -> datetime:
    return value.astimezone(TOKYO)
