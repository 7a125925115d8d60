"""Hanamaru demo: two classes with a term of weekly sessions (four already held, with attendance), children
enrolled by fictional guardians, one class full with a waiting list where a freed place is offered to the first
child waiting (the offer open for a few more days), tutors signed up, an absence reported."""

from datetime import time, timedelta

from django.conf import settings
from django.utils import timezone

from hanamaru import services
from hanamaru.models import Absence, Child, Class, ConsentText, Enrolment, Session, TutorSignup
from jii.models import Area, Language, Resident, VolunteerProfile

# name, venue, address, access notes (each ja, en), area, level, ages, capacity, tutors, weekday, start, end
CLASSES = [
    ("はなまるクラス 目黒", "Hanamaru class Meguro", "JII 目黒 活動室", "JII Meguro activity room",
     "東京都目黒区下目黒5-27-5", "5-27-5 Shimomeguro, Meguro-ku, Tokyo",
     "東急目黒線 不動前駅から徒歩7分", "7 minutes' walk from Fudomae Station (Tokyu Meguro Line)",
     "tokyo-meguro", "first_steps", "lower_primary", 8, 3, 5, time(10, 0), time(11, 30)),
    ("はなまるクラス 川口", "Hanamaru class Kawaguchi", "川口 地域交流センター（デモ）",
     "Kawaguchi community centre (demo)", "埼玉県川口市栄町3-1-1", "3-1-1 Sakaecho, Kawaguchi, Saitama",
     "JR川口駅 東口から徒歩5分", "5 minutes' walk from the east exit of JR Kawaguchi Station",
     "saitama-kawaguchi", "reading", "upper_primary", 4, 2, 6, time(14, 0), time(15, 30)),
]  # fmt: skip

# guardian email, guardian name, language, area, [(first, family, age, school, home language, level, class no.)]
FAMILIES = [
    ("hanamaru-demo-1@example.com", "Ana Silva", "pt", "tokyo-meguro",
     [("Lucas", "Silva", 7, "目黒区立 小学校 2年", "pt", "speaks", 0),
      ("Bia", "Silva", 6, "小学校 1年", "pt", "none", 0)]),
    ("hanamaru-demo-2@example.com", "Nguyen Thi Lan", "vi", "saitama-kawaguchi",
     [("Minh", "Nguyen", 10, "川口市立 小学校 4年", "vi", "kana", 1),
      ("An", "Nguyen", 8, "川口市立 小学校 2年", "vi", "none", 1)]),
    ("olena.kovalenko@example.com", "Olena Kovalenko", "uk", "saitama-kawaguchi",  # jii's demo refugee family
     [("Sofiia", "Kovalenko", 11, "小学校 5年", "uk", "kana", 1),
      ("Marko", "Kovalenko", 9, "小学校 4年", "uk", "speaks", 1)]),
    ("hanamaru-demo-4@example.com", "Bishnu Gurung", "ne", "saitama-kawaguchi",
     [("Asha", "Gurung", 10, "小学校 4年", "ne", "some_kanji", 1),
      ("Sagar", "Gurung", 12, "小学校 6年", "ne", "kana", 1)]),
]  # fmt: skip


def next_weekday(day, weekday: int):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def load() -> str:
    if Class.objects.filter(name__ja=CLASSES[0][0]).exists():
        return f"Hanamaru demo already there: {Class.objects.count()} classes"
    areas = {area.code: area for area in Area.objects.all()}
    languages = {language.code: language for language in Language.objects.all()}
    today = timezone.localdate()
    classes = []
    for (name_ja, name_en, venue_ja, venue_en, address_ja, address_en, access_ja, access_en, area, level, ages,
         capacity, tutors, weekday, starts, ends) in CLASSES:  # fmt: skip
        klass = Class.objects.create(
            name={"ja": name_ja, "en": name_en}, venue={"ja": venue_ja, "en": venue_en},
            address={"ja": address_ja, "en": address_en},
            access_notes={"ja": access_ja, "en": access_en}, area=areas[area], level=level, age_band=ages,
            capacity=capacity, tutors_needed=tutors,
        )  # fmt: skip
        first = next_weekday(today, weekday) - timedelta(weeks=4)
        skip = {day for day in (first + timedelta(weeks=n) for n in range(16)) if (day.month, day.day) >= (12, 27)}
        services.create_term(klass=klass, first_day=first, starts=starts, ends=ends, weeks=16, skip=skip)
        classes.append(klass)
    consent = ConsentText.objects.latest()
    for email, name, language, area, children in FAMILIES:
        guardian, _ = Resident.objects.get_or_create(
            email=email,
            defaults={"name": name, "prefecture": areas[area].prefecture, "municipality": areas[area].name["ja"],
                      "household_type": "family", "language": "en"},
        )  # fmt: skip
        guardian.languages.add(languages[language])
        for first_name, family_name, age, school, home, level, class_no in children:
            klass = classes[class_no]
            child = Child.objects.create(
                guardian=guardian, first_name=first_name, family_name=family_name, age=age, school=school,
                japanese_level=level,
            )  # fmt: skip
            child.home_languages.set([languages[home]])
            full = klass.enrolments.filter(status=Enrolment.Status.ENROLLED).count() >= klass.capacity
            now = timezone.now() - timedelta(weeks=6)  # enrolled before the term began
            Enrolment.objects.create(
                child=child, klass=klass, consent=consent, consented_at=now, created_at=now,
                enrolled_at=None if full else now,
                status=Enrolment.Status.WAITING if full else Enrolment.Status.ENROLLED,
            )  # fmt: skip
    tutors = list(VolunteerProfile.objects.filter(status="approved").order_by("pk"))
    for n, session in enumerate(Session.objects.filter(klass__in=classes).select_related("klass")):
        for tutor in tutors[n % 3 : n % 3 + session.klass.tutors_needed - (n % 2)]:
            TutorSignup.objects.create(
                session=session, volunteer=tutor, signed_up_at=session.starts_at - timedelta(days=10)
            )
    for session in Session.objects.filter(klass__in=classes, starts_at__lt=timezone.now()):
        enrolled = Child.objects.filter(enrolments__klass=session.klass, enrolments__status=Enrolment.Status.ENROLLED)
        present = [child for i, child in enumerate(enrolled) if (i + session.pk) % 5]
        tutors_present = [signup.volunteer for signup in session.signups.all()]
        services.record_attendance(
            session=session, children_present=present, tutors_present=tutors_present, note="", by=None
        )
    # Two days ago An left Kawaguchi: her place is offered to the first child waiting, who has a few days left to
    # answer (set here rather than through services.withdraw, so that loading the demo sends no email).
    left = timezone.now() - timedelta(days=2)
    classes[1].enrolments.filter(child__first_name="An").update(status=Enrolment.Status.WITHDRAWN, withdrawn_at=left)
    first_waiting = classes[1].enrolments.filter(status=Enrolment.Status.WAITING).order_by("created_at", "pk").first()
    first_waiting.status = Enrolment.Status.OFFERED
    first_waiting.offered_until = left + timedelta(days=settings.HANAMARU_OFFER_DAYS)
    first_waiting.save(update_fields=["status", "offered_until"])
    lucas = Child.objects.get(first_name="Lucas", guardian__email=FAMILIES[0][0])
    Absence.objects.create(session=classes[0].sessions.upcoming().first(), child=lucas, reason="歯医者の予約")
    return f"{len(classes)} Hanamaru classes, {Session.objects.count()} sessions, {Child.objects.count()} children"
