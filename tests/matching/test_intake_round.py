"""The intake round's optimiser: never breaks a hard rule, and is optimal (checked against brute force)."""

import itertools
import random

import numpy as np
import pytest

from matching.models import Application, Match, RoundSuggestion
from matching.ranking import best_assignment
from matching.services import propose_suggestions, run_intake_round
from tests.factories import ApplicationFactory, approved_volunteer


def brute_force_best(score, feasible):
    """The best total over every way to pair rows with distinct columns (or leave them unpaired)."""
    rows, cols = score.shape
    best = 0
    for chosen in itertools.product([None, *range(cols)], repeat=rows):
        used = [c for c in chosen if c is not None]
        if len(used) != len(set(used)):
            continue
        if any(c is not None and not feasible[r, c] for r, c in enumerate(chosen)):
            continue
        best = max(best, sum(score[r, c] for r, c in enumerate(chosen) if c is not None))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_assignment_is_optimal_and_feasible_on_small_cases(seed):
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(1, 6), rng.integers(1, 6)
    score = rng.integers(0, 60, size=(rows, cols))
    feasible = rng.random((rows, cols)) < 0.6
    result = best_assignment(score, feasible)
    assert all(feasible[i, j] for i, j in result.pairs)
    assert len({i for i, _ in result.pairs}) == len(result.pairs) == len({j for _, j in result.pairs})
    assert result.total == brute_force_best(score, feasible)


def test_a_low_scoring_extra_pair_never_costs_a_better_total():
    # Row 0 fits column 0 (50) or column 1 (10); row 1 fits only column 0 (45).
    score = np.array([[50, 10], [45, 0]])
    feasible = np.array([[True, True], [True, False]])
    result = best_assignment(score, feasible)
    assert result.total == 55 and sorted(result.pairs) == [(0, 1), (1, 0)]


@pytest.mark.django_db
def test_an_intake_round_suggests_the_best_feasible_pairs_and_explains_the_rest(coordinator):
    rng = random.Random(3)
    areas = ["tokyo-meguro", "tokyo-shibuya", "tokyo-setagaya", "tokyo-hachioji"]
    volunteers = [
        approved_volunteer(area=rng.choice(areas), availability=rng.sample(["sat:afternoon", "mon:evening"], 1))
        for _ in range(6)
    ]
    applications = [
        ApplicationFactory(availability=rng.sample(["weekend:afternoon", "weekday:evening"], 1)) for _ in range(8)
    ]
    lonely = ApplicationFactory(languages=["ne"], japanese_level="none")  # nobody speaks Nepali

    intake = run_intake_round(by=coordinator)
    suggestions = list(intake.suggestions.all())
    proposed = [s for s in suggestions if s.status == RoundSuggestion.Status.SUGGESTED]
    assert len({s.volunteer_id for s in proposed}) == len(proposed)  # each volunteer once
    assert {s.application_id for s in suggestions} == {a.pk for a in [*applications, lonely]}
    assert intake.total_score == sum(s.score for s in proposed)
    [no_partner] = [s for s in suggestions if s.application_id == lonely.pk]
    assert no_partner.status == RoundSuggestion.Status.NO_PARTNER
    nearby = sum(v.area.code != "tokyo-hachioji" for v in volunteers)
    assert {"code": "language", "count": nearby} in intake.explanations[str(lonely.pk)]["reasons"]
    for suggestion in proposed:
        breakdown = intake.explanations[str(suggestion.application_id)]["breakdown"]
        assert sum(item["points"] for item in breakdown) == suggestion.score

    made, stale = propose_suggestions(suggestions=intake.suggestions.all(), by=coordinator)
    assert (made, stale) == (len(proposed), 0)
    assert Match.objects.filter(status="proposed").count() == len(proposed)
    for suggestion in proposed:
        assert Application.objects.get(pk=suggestion.application_id).stage == Application.Stage.PROPOSED


@pytest.mark.django_db
def test_a_suggestion_taken_meanwhile_is_marked_stale_not_forced(coordinator):
    from matching.services import propose_match

    volunteer = approved_volunteer()
    first, second = ApplicationFactory(), ApplicationFactory()
    intake = run_intake_round(by=coordinator)
    [suggested] = intake.suggestions.filter(status="suggested")
    other = second if suggested.application_id == first.pk else first
    propose_match(application=other, volunteer=volunteer, proposed_by=coordinator)  # a coordinator was faster

    assert propose_suggestions(suggestions=intake.suggestions.all(), by=coordinator) == (0, 1)
    assert Match.objects.filter(volunteer=volunteer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("places", "paired"), [(1, 1), (2, 2)])
def test_a_volunteer_with_two_places_can_be_suggested_twice_in_one_round(settings, coordinator, places, paired):
    settings.OFP_PAIRS_PER_VOLUNTEER = places
    volunteer = approved_volunteer(availability=["sat:afternoon"])
    applications = [ApplicationFactory(availability=["weekend:afternoon"]) for _ in range(2)]
    suggested = run_intake_round(by=coordinator).suggestions.filter(status=RoundSuggestion.Status.SUGGESTED)
    assert [s.volunteer_id for s in suggested] == [volunteer.pk] * paired
    assert {s.application_id for s in suggested} <= {a.pk for a in applications}
