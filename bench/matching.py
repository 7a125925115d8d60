"""OFP matching benchmarks.

1. Ranking the candidates of one application among 5,000 approved volunteers (target: under 100 ms).
2. One intake round of 2,000 waiting applicants × 2,000 free volunteers, from the database to the stored
   suggestions (target: no more than twice the assignment solver alone on the same score matrix).

Runs on its own SQLite file (bench/bench-ofp.sqlite3, recreated each run) unless DATABASE_URL is set (then use
a scratch database). Usage: make bench   (or: .venv/bin/python bench/matching.py)
"""

import random
import statistics
import sys
import time

from common import configure, fresh_database, ready_to_help  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench-ofp.sqlite3", CELERY_TASK_ALWAYS_EAGER="True", EMAIL_URL="dummymail://")

VOLUNTEERS = 5000
APPLICANTS = 2000
ROUND_VOLUNTEERS = 2000


def setup():
    fresh_database(BENCH_DB)


def populate(rng):
    """5,000 approved volunteers and 2,000 waiting applications spread over JII's areas (bulk inserts)."""
    from django.utils import timezone

    from jii.choices import Experience, Interest, SpotCategory, Weekday
    from jii.models import Area, Language, Resident, User, VolunteerLanguage, VolunteerProfile
    from matching.models import Application, Hope, TimeBand

    areas = list(Area.objects.all())
    languages = {language.code: language for language in Language.objects.all()}
    others = [code for code in languages if code != "ja"]
    slots = [f"{day}:{time}" for day in Weekday.values for time in ("morning", "afternoon", "evening")]
    users = User.objects.bulk_create(
        User(email=f"bench-volunteer-{i}@example.jp", name=f"Volunteer {i}") for i in range(VOLUNTEERS)
    )
    profiles = VolunteerProfile.objects.bulk_create(
        VolunteerProfile(
            user=user,
            status="approved",
            gender=rng.choice(["female", "male"]),
            area=rng.choice(areas),
            nearest_station="駅",
            availability=rng.sample(slots, 4),
            experience=rng.sample(Experience.values, 2),
            interests=rng.sample(Interest.values, 3),
            spot_categories=rng.sample(SpotCategory.values, 2),
        )
        for user in users
    )
    ready_to_help(profiles)
    VolunteerLanguage.objects.bulk_create(
        [VolunteerLanguage(volunteer=p, language=languages["ja"], level="native") for p in profiles]
        + [
            VolunteerLanguage(volunteer=p, language=languages[rng.choice(others)], level="conversational")
            for p in profiles
        ]
    )
    residents = Resident.objects.bulk_create(
        Resident(name=f"Resident {i}", email=f"bench-resident-{i}@example.com", prefecture="tokyo", municipality="-",
                 household_type="family")
        for i in range(APPLICANTS)
    )  # fmt: skip
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            resident=resident,
            stage="matching",
            household_type=rng.choice(["family", "family", "single_worker", "student", "refugee"]),
            japanese_level=rng.choice(["none", "basic", "conversational"]),
            area=rng.choice(areas),
            nearest_station="駅",
            availability=rng.sample(TimeBand.values, 2),
            hopes=rng.sample(Hope.values, 2),
            interests=rng.sample(Interest.values, 2),
            gender_preference=rng.choice(["any", "any", "any", "female", "male"]),
            consented_at=now,
        )
        for resident in residents
    )
    Application.languages.through.objects.bulk_create(
        Application.languages.through(application=a, language=languages[rng.choice(others)]) for a in applications
    )
    return profiles, applications


def timed(function, repeat=1):
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return result, timings


def main():
    setup()
    import numpy as np
    from django.db import connection
    from scipy.optimize import linear_sum_assignment

    from jii.models import VolunteerProfile
    from matching.models import Application, RoundSuggestion
    from matching.ranking import best_assignment, plan_intake_round, rank_candidates
    from matching.services import run_intake_round

    rng = random.Random(42)
    profiles, applications = populate(rng)

    # 1. One application's ranked candidates among 5,000 volunteers.
    application = Application.objects.get(pk=applications[0].pk)
    rank_candidates(application)  # warm up
    ranking, timings = timed(lambda: rank_candidates(application), repeat=20)
    rank_ms = [t * 1000 for t in timings]

    # 2. An intake round: 2,000 applicants × 2,000 free volunteers.
    VolunteerProfile.objects.filter(pk__in=[p.pk for p in profiles[ROUND_VOLUNTEERS:]]).update(status="pending")
    plan = plan_intake_round()
    score = plan.scores.total[:, plan.columns]
    feasible = plan.scores.feasible[:, plan.columns]
    # The solver alone, on exactly the matrix the round hands it (infeasible pairs worth nothing).
    solver_matrix = np.where(feasible, score * float(min(score.shape) + 1) + 1.0, 0.0)
    _, solver_only = timed(lambda: linear_sum_assignment(solver_matrix, maximize=True), repeat=5)
    _, dense_solver = timed(lambda: linear_sum_assignment(score.astype(float), maximize=True), repeat=3)
    _, assignment_timings = timed(lambda: best_assignment(score, feasible), repeat=3)
    intake, round_timings = timed(lambda: run_intake_round(by=None), repeat=5)
    suggested = RoundSuggestion.objects.filter(round=intake, status="suggested").count()

    dense = statistics.median(dense_solver)
    masked = statistics.median(solver_only)
    whole = statistics.median(round_timings)
    print(f"database: {connection.vendor}")
    print(
        f"ranking 1 application among {VOLUNTEERS} volunteers: median {statistics.median(rank_ms):.1f} ms, "
        f"max {max(rank_ms):.1f} ms ({len(ranking.candidates)} candidates shown, {len(ranking.excluded)} excluded "
        f"nearby, {ranking.far_away} too far)"
    )
    print(
        f"intake round {score.shape[0]} applicants × {score.shape[1]} volunteers "
        f"({int(feasible.sum())} feasible pairs): "
        f"whole round, database to stored suggestions, median {whole:.3f} s"
    )
    print(
        f"  solver alone on the round's score matrix: {dense:.3f} s -> round/solver {whole / dense:.2f} (target <= 2)"
    )
    print(
        f"  solver alone on the matrix the round hands it (infeasible pairs zeroed, an easier problem): {masked:.3f} s "
        f"-> {whole / masked:.2f}; best_assignment {statistics.median(assignment_timings):.3f} s"
    )
    print(f"  {suggested} pairs suggested, total score {intake.total_score}")
    ok = statistics.median(rank_ms) < 100 and whole <= 2 * dense
    print("targets met" if ok else "!! a target is missed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
