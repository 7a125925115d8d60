"""A volunteer's year of help across the three programs, with a resident, her request and her child that a
certificate must never mention, and another volunteer whose hours must not be mixed in.

Haruka (the volunteer), 2025 in Tokyo time:
  OFP      a check-in of 90 min in May (and one logged before the time was asked: no minutes)
  Spot     a request done with 45 min in May; one with 30 min done at 00:30 on 1 June (June in Tokyo)
  Hanamaru a 2-hour session in May with attendance recorded, present; one where she was marked absent; one whose
           attendance was not recorded
  → May: OFP 1 h 30, Spot 45 min, Hanamaru 2 h (4 h 15 min); June: Spot 30 min; in all 4 h 45 min."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from hanamaru.models import Child, Class, ConsentText, Enrolment, Session, TutorSignup
from jii.models import Area
from matching.models import CheckIn, Match
from tests.factories import ApplicationFactory, ResidentFactory, SpotRequestFactory, VolunteerFactory

RESIDENT_NAME = "Olena Kovalenko"
RESIDENT_EMAIL = "olena.kovalenko@example.com"
REQUEST_WORDS = "My son has a fever at night"
CHILD_NAME = "Mykyta"


def tokyo(year, month, day, hour=10, minute=0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def session(klass, starts: datetime, *, recorded: bool) -> Session:
    return Session.objects.create(
        klass=klass,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        attendance_recorded_at=starts + timedelta(hours=3) if recorded else None,
    )


def build() -> dict:
    volunteer = VolunteerFactory(name="佐藤 春香", email="haruka@example.jp", profile__status="approved")
    profile = volunteer.volunteer_profile
    other = VolunteerFactory(name="山田 太郎", profile__status="approved").volunteer_profile
    resident = ResidentFactory(name=RESIDENT_NAME, email=RESIDENT_EMAIL, household_type="refugee")

    match = Match.objects.create(
        application=ApplicationFactory(resident=resident, stage="active"),
        volunteer=profile,
        status="active",
        starts_on=date(2025, 4, 10),
        ends_on=date(2025, 10, 10),
    )
    CheckIn.objects.create(match=match, month=1, met=True, how="phone", mood="good", created_at=tokyo(2025, 5, 2))
    CheckIn.objects.create(
        match=match, month=2, met=True, how="in_person", mood="good", minutes_spent=90, created_at=tokyo(2025, 5, 20)
    )

    done = {"resident": resident, "status": "done", "volunteer": profile, "description": REQUEST_WORDS}
    SpotRequestFactory(**done, accepted_at=tokyo(2025, 5, 9), done_at=tokyo(2025, 5, 10, 15), minutes_spent=45)
    SpotRequestFactory(**done, accepted_at=tokyo(2025, 5, 30), done_at=tokyo(2025, 6, 1, 0, 30), minutes_spent=30)
    # The other volunteer's hour, in the same May.
    SpotRequestFactory(resident=resident, status="done", volunteer=other, done_at=tokyo(2025, 5, 12), minutes_spent=60)

    klass = Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室", "en": "JII Meguro activity room"},
        address={"ja": "東京都目黒区下目黒5-27-5", "en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo"},
        area=Area.objects.get(code="tokyo-meguro"),
        level="first_steps",
        age_band="lower_primary",
        capacity=5,
        tutors_needed=2,
    )
    child = Child.objects.create(
        guardian=resident, first_name=CHILD_NAME, family_name="Kovalenko", age=8, japanese_level="speaks"
    )
    Enrolment.objects.create(
        child=child,
        klass=klass,
        status="enrolled",
        consent=ConsentText.objects.latest(),
        consented_at=tokyo(2025, 4, 1),
        enrolled_at=tokyo(2025, 4, 1),
    )
    present = session(klass, tokyo(2025, 5, 17), recorded=True)
    TutorSignup.objects.create(session=present, volunteer=profile, attended=True)
    TutorSignup.objects.create(session=present, volunteer=other, attended=True)  # the other's 2 hours
    absent = session(klass, tokyo(2025, 5, 24), recorded=True)
    TutorSignup.objects.create(session=absent, volunteer=profile, attended=False)
    unrecorded = session(klass, tokyo(2025, 5, 31), recorded=False)
    TutorSignup.objects.create(session=unrecorded, volunteer=profile)
    return {"volunteer": volunteer, "profile": profile, "other": other, "resident": resident, "child": child}
