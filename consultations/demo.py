"""Kurashi consultations demo: partner experts with their hours, two rooms, and cases in each state (new, booked,
passed to Spot, closed with an outcome). Fictional people."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from consultations import services
from consultations.models import Consultation, DayOff, Expert, Room, Speciality, WeeklyHours
from jii.models import Area, Language, Resident

# name, profession, office, email, languages, topics, hours (weekday, from, until)
EXPERTS = [
    ("佐藤 由美", "lawyer", "目黒みらい法律事務所", "expert-sato@example.jp", ["ja", "en"],
     ["residence", "family", "money"], [(1, time(13), time(17)), (3, time(13), time(17))]),
    ("高橋 健", "scrivener", "高橋行政書士事務所", "expert-takahashi@example.jp", ["ja", "zh"], ["residence", "work"],
     [(0, time(10), time(16)), (4, time(10), time(16))]),
    ("Maria Lopez", "social_worker", "JII partner", "expert-lopez@example.jp", ["ja", "es", "en", "pt"],
     ["medical", "housing", "education", "money"], [(2, time(9), time(15)), (5, time(10), time(13))]),
]  # fmt: skip

# email, name, area, topic, description, languages, interpreter, status
CASES = [
    ("kurashi-demo-1@example.com", "Nguyen Van Minh", "tokyo-shinjuku", "work",
     "My company has not paid my overtime for three months and says my contract ends next month.", ["vi"], True, "new"),
    ("kurashi-demo-2@example.com", "Chen Li", "tokyo-meguro", "residence",
     "My visa expires in six weeks. I changed jobs and I do not know which status to apply for.", ["zh", "ja"], False,
     "booked"),
    ("kurashi-demo-3@example.com", "Ana Pereira", "kanagawa-yokohama-naka", "housing",
     "The landlord wants to keep all of my deposit for cleaning. Is that allowed?", ["pt", "en"], True, "closed"),
]  # fmt: skip


def next_weekday(day, weekday: int):
    return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def load() -> str:
    if Expert.objects.filter(email=EXPERTS[0][3]).exists():
        return f"Consultations demo already there: {Consultation.objects.count()} cases"
    languages = {language.code: language for language in Language.objects.all()}
    areas = {area.code: area for area in Area.objects.all()}
    experts = []
    for name, kind, office, email, spoken, topics, hours in EXPERTS:
        expert = Expert.objects.create(name=name, kind=kind, organisation=office, email=email)
        expert.languages.set([languages[code] for code in spoken])
        Speciality.objects.bulk_create(Speciality(expert=expert, topic=topic) for topic in topics)
        WeeklyHours.objects.bulk_create(WeeklyHours(expert=expert, weekday=d, starts=s, ends=e) for d, s, e in hours)
        experts.append(expert)
    DayOff.objects.create(expert=experts[0], day=timezone.localdate().replace(month=12, day=29))
    room = Room.objects.create(name="相談室A", address="東京都目黒区下目黒5-27-5 JII")
    Room.objects.create(name="相談室B", address="東京都目黒区下目黒5-27-5 JII")
    for email, name, area, topic, text, spoken, interpreter, state in CASES:
        resident, _ = Resident.objects.get_or_create(
            email=email,
            defaults={"name": name, "prefecture": areas[area].prefecture, "municipality": areas[area].name["ja"],
                      "household_type": "single_worker", "language": "en"},
        )  # fmt: skip
        case = Consultation.objects.create(
            resident=resident, topic=topic, description=text, interpreter_needed=interpreter, modes=["in_person"],
            preferred_times="平日の夕方 / weekday evenings", consented_at=timezone.now() - timedelta(days=5),
            created_at=timezone.now() - timedelta(days=5),
        )  # fmt: skip
        case.languages.set([languages[code] for code in spoken])
        if state == "booked":
            expert = experts[1]  # the scrivener, who speaks Chinese
            day = next_weekday(timezone.localdate(), 0)
            starts = timezone.make_aware(datetime.combine(day, time(11)))
            services.book_appointment(
                consultation=case, expert=expert, starts_at=starts, ends_at=starts + timedelta(hours=1),
                mode="in_person", room=room,
            )  # fmt: skip
        elif state == "closed":
            services.accept(consultation=case)
            Consultation.objects.filter(pk=case.pk).update(expert=experts[2])
            services.record_outcome(
                consultation=case, outcome="resolved", close=True,
                summary="敷金の返還について説明し、交渉用の文書を一緒に作成。一部返還で合意。",
            )  # fmt: skip
    return f"{len(experts)} experts, {Consultation.objects.count()} consultations"
