"""OFP demo history shaped by JII's published figures: about 90% of applicants matched, about 90% of pairs
completing six months, households ~40% families, ~30% single workers, ~20% students, ~10% refugees, across
Tokyo, Kanagawa, Chiba and Saitama. Plus a few live cases: pairs running now, a proposal, waiting applicants.
People are fictional; a fixed seed makes every run identical and a second run creates nothing."""

import random
from datetime import time, timedelta

from django.utils import timezone

from jii.models import Language, Resident, VolunteerProfile
from matching.models import Application, CheckIn, Match, add_months

FIRST_NAMES = {
    "en": ["Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Grace", "Ryan"],
    "zh": ["Li Na", "Wang Fang", "Zhang Wei", "Liu Yang", "Chen Jing"],
    "vi": ["Nguyen Thi Lan", "Tran Van Minh", "Pham Thu Ha", "Le Van Nam"],
    "ne": ["Bishnu Thapa", "Sita Gurung", "Ram Shrestha"],
    "tl": ["Maria Santos", "Jose Reyes", "Ana Cruz"],
    "ko": ["Kim Ji-woo", "Park Min-jun", "Lee Seo-yeon"],
    "uk": ["Olena Kovalenko", "Andriy Shevchenko", "Iryna Bondarenko"],
    "fa": ["Ahmad Rahimi", "Zahra Hakimi"],
    "pt": ["Ana Oliveira", "Lucas Pereira"],
}
HOUSEHOLDS = ["family"] * 4 + ["single_worker"] * 3 + ["student"] * 2 + ["refugee"]
HOPES = ["japanese", "culture", "child_rearing", "procedures", "friendship"]
BANDS = ["weekday:morning", "weekday:afternoon", "weekday:evening", "weekend:morning", "weekend:afternoon"]
EARLY_REASONS = ["moved", "schedule", "health", "not_a_fit", "no_contact"]
HISTORY = 60  # applications over the past eighteen months


def make_application(rng, n, volunteer, household, created_at, stage):
    language = "uk" if household == "refugee" and rng.random() < 0.6 else rng.choice(list(FIRST_NAMES))
    if household == "refugee" and language not in ("uk", "fa"):
        language = "fa"
    name = FIRST_NAMES[language][n % len(FIRST_NAMES[language])]
    resident, _ = Resident.objects.get_or_create(
        email=f"ofp-demo-{n}@example.com",
        defaults={
            "name": name,
            "prefecture": volunteer.area.prefecture,
            "municipality": volunteer.area.name["ja"],
            "household_type": household,
            "language": "ja" if language in ("zh", "ko") else "en",
        },
    )
    if resident.ofp_applications.exists():
        return None
    spoken = Language.objects.filter(code__in=[language, "en"] if language != "en" else ["en"])
    resident.languages.add(*spoken)
    application = Application.objects.create(
        resident=resident,
        stage=stage,
        household_type=household,
        adults=2 if household == "family" else 1,
        children_ages=[rng.randint(1, 12)] if household == "family" else [],
        japanese_level=rng.choice(["none", "basic", "basic", "conversational"]),
        area=volunteer.area,
        nearest_station=volunteer.nearest_station,
        availability=rng.sample(BANDS, 2) + ["weekend:afternoon"],
        hopes=rng.sample(HOPES, 2),
        interests=rng.sample(["cooking", "films", "music", "travel", "seasonal_events"], 2),
        consented_at=created_at,
        created_at=created_at,
    )
    application.languages.set(spoken)
    return application


def load() -> str:
    rng = random.Random(2020)  # OFP began in 2020
    volunteers = list(VolunteerProfile.objects.approved().select_related("area", "user").order_by("pk"))
    if not volunteers:
        return "no approved volunteers: load jii's demo first"
    # History first, then the live cases: one random sequence, so that every run draws the same people.
    now = timezone.now()
    created = load_history(rng, volunteers, now) + load_live_cases(rng, volunteers, now)
    return f"{created} OFP applications created, {Application.objects.count()} in all"


def load_history(rng, volunteers, now) -> int:
    """Closed applications and pairs of the past eighteen months; the number of applications created."""
    today = timezone.localdate(now)
    created = 0
    for n in range(HISTORY):
        volunteer = volunteers[n % len(volunteers)]
        applied = now - timedelta(days=560 - n * 6)
        matched = n % 10 != 9  # nine in ten find a partner
        stage = Application.Stage.WITHDRAWN if not matched else Application.Stage.COMPLETED
        application = make_application(rng, n, volunteer, HOUSEHOLDS[n % 10], applied, stage)
        if application is None:
            continue
        created += 1
        if not matched:
            continue
        starts_on = timezone.localdate(applied) + timedelta(days=rng.randint(7, 40))
        ends_on = add_months(starts_on, 6)
        completed = n % 9 != 4  # about nine in ten complete six months
        closed_on = ends_on if completed else starts_on + timedelta(days=rng.randint(40, 120))
        if closed_on >= today:  # would still be running: leave it to the live cases
            application.delete()
            created -= 1
            continue
        Match.objects.create(
            application=application,
            volunteer=volunteer,
            status=Match.Status.COMPLETED if completed else Match.Status.ENDED_EARLY,
            proposed_at=applied + timedelta(days=3),
            resident_accepted_at=applied + timedelta(days=5),
            volunteer_accepted_at=applied + timedelta(days=4),
            starts_on=starts_on,
            ends_on=ends_on,
            closed_at=timezone.make_aware(timezone.datetime.combine(closed_on, timezone.datetime.min.time())),
            end_reason="completed" if completed else rng.choice(EARLY_REASONS),
        )
        if not completed:
            Application.objects.filter(pk=application.pk).update(stage=Application.Stage.ENDED_EARLY)
    return created


def load_live_cases(rng, volunteers, now) -> int:
    """Three pairs running, one proposal waiting for answers, five applicants waiting; the applications created."""
    today = timezone.localdate(now)
    created = 0
    for k, volunteer in enumerate(volunteers[:3]):
        application = make_application(
            rng, 100 + k, volunteer, HOUSEHOLDS[k], now - timedelta(days=60 + 40 * k), "active"
        )
        if application is None:
            continue
        created += 1
        starts_on = today - timedelta(days=30 + 40 * k)
        match = Match.objects.create(
            application=application,
            volunteer=volunteer,
            status=Match.Status.ACTIVE,
            resident_accepted_at=now - timedelta(days=31 + 40 * k),
            volunteer_accepted_at=now - timedelta(days=32 + 40 * k),
            starts_on=starts_on,
            ends_on=add_months(starts_on, 6),
        )
        for month in range(1, match.month_on(today)):
            logged = timezone.make_aware(timezone.datetime.combine(add_months(starts_on, month), time(20)))
            CheckIn.objects.create(
                match=match,
                month=month,
                met=True,
                how="in_person",
                mood="good",
                note="散歩と昼食",
                minutes_spent=90 + 30 * (month % 2),  # the volunteer's hours (no random draw: the figures stay put)
                created_at=min(logged, now),
            )
    proposal_volunteer = volunteers[3]
    application = make_application(rng, 110, proposal_volunteer, "student", now - timedelta(days=20), "proposed")
    if application is not None:
        created += 1
        Match.objects.create(application=application, volunteer=proposal_volunteer, status=Match.Status.PROPOSED)
    for k in range(5):
        volunteer = volunteers[(4 + k) % len(volunteers)]
        stage = Application.Stage.RECEIVED if k < 2 else Application.Stage.MATCHING
        if make_application(rng, 120 + k, volunteer, HOUSEHOLDS[(k * 3) % 10], now - timedelta(days=3 + 9 * k), stage):
            created += 1
    return created
