"""Hard rules exclude, weighted fit ranks, and a breakdown always adds up to its score."""

import random

import pytest
from django.utils import translation

from jii.models import Area
from matching.explain import describe_breakdown, describe_reasons
from matching.models import Application
from matching.policy import WEIGHTS
from matching.ranking import rank_candidates
from matching.scoring import score_applications
from matching.services import close_pair, propose_match, respond_as_resident, respond_as_volunteer
from tests.factories import ApplicationFactory, VolunteerFactory, approved_volunteer

pytestmark = pytest.mark.django_db


def reasons_for(application, volunteer):
    ranking = rank_candidates(application)
    assert volunteer.pk not in [candidate.volunteer_id for candidate in ranking.candidates]
    return {
        reason["code"]
        for excluded in ranking.excluded
        if excluded.volunteer_id == volunteer.pk
        for reason in excluded.reasons
    }


def test_a_good_neighbour_is_ranked_with_an_explained_score():
    application = ApplicationFactory(hopes=["child_rearing"], interests=["cooking"], household_type="family")
    volunteer = approved_volunteer(experience=["raising_children"], interests=["cooking"])
    [candidate] = rank_candidates(application).candidates
    assert candidate.volunteer_id == volunteer.pk
    codes = {item["code"]: item["points"] for item in candidate.breakdown}
    assert codes == {
        "same_area": WEIGHTS["same_area"],
        "language": WEIGHTS["shared_language"],
        "time": WEIGHTS["time_band"],  # weekend afternoons
        "household": 15,  # a family, and the volunteer has raised children
        "interests": WEIGHTS["interest"],
        "hopes": 10,  # hopes for advice on raising children
    }
    assert candidate.score == sum(codes.values())
    with translation.override("en"):
        text = describe_breakdown(candidate.breakdown)
    assert text[:2] == ["Same city or ward (Meguro) +30", "Shared language: English +20"]
    with translation.override("ja"):
        assert describe_breakdown(candidate.breakdown)[0] == "同じ市区町村（目黒区） +30"


def test_closer_volunteers_rank_higher():
    application = ApplicationFactory()
    same_area = approved_volunteer(area="tokyo-meguro")
    next_door = approved_volunteer(area="tokyo-shibuya")  # about 2.5 km
    farther = approved_volunteer(area="tokyo-shinjuku")  # about 6 km
    ranked = [candidate.volunteer_id for candidate in rank_candidates(application).candidates]
    assert ranked == [same_area.pk, next_door.pk, farther.pk]


@pytest.mark.parametrize(
    ("volunteer_kwargs", "application_kwargs", "rule"),
    [
        ({"area": "tokyo-hachioji"}, {}, "far"),
        ({"languages": [("ja", "native")]}, {"japanese_level": "none"}, "language"),
        ({"languages": [("ja", "native"), ("en", "basic")]}, {"japanese_level": "basic"}, "language"),
        ({"gender": "male"}, {"gender_preference": "female"}, "gender"),
        ({"availability": ["mon:morning"]}, {}, "time"),
    ],
)
def test_each_hard_rule_excludes_with_its_reason(volunteer_kwargs, application_kwargs, rule):
    application = ApplicationFactory(**application_kwargs)
    volunteer = approved_volunteer(**volunteer_kwargs)
    ranking = rank_candidates(application)
    assert volunteer.pk not in [candidate.volunteer_id for candidate in ranking.candidates]
    if rule == "far":
        assert ranking.far_away == 1
    else:
        [excluded] = ranking.excluded
        assert [reason["code"] for reason in excluded.reasons] == [rule]
        assert describe_reasons(excluded.reasons)


def test_japanese_is_a_shared_language_when_the_resident_speaks_it():
    application = ApplicationFactory(japanese_level="conversational")
    volunteer = approved_volunteer(languages=[("ja", "native")])
    [candidate] = rank_candidates(application).candidates
    assert candidate.volunteer_id == volunteer.pk
    assert {"code": "japanese", "points": WEIGHTS["japanese_only"]} in candidate.breakdown


def test_a_volunteer_in_a_pair_is_excluded_until_it_ends(coordinator):
    volunteer = approved_volunteer()
    match = propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=coordinator)
    respond_as_resident(match=match, resident=match.application.resident, accepted=True)
    respond_as_volunteer(match=match, volunteer=volunteer, accepted=True)
    waiting = ApplicationFactory()
    assert reasons_for(waiting, volunteer) == {"full"}
    close_pair(match=match, reason="completed")
    assert [c.volunteer_id for c in rank_candidates(waiting).candidates] == [volunteer.pk]


def test_the_per_volunteer_limit_is_a_setting(coordinator, settings):
    settings.OFP_PAIRS_PER_VOLUNTEER = 2
    volunteer = approved_volunteer()
    propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=coordinator)
    assert [c.volunteer_id for c in rank_candidates(ApplicationFactory()).candidates] == [volunteer.pk]


def test_pending_volunteers_are_never_candidates():
    application = ApplicationFactory()
    VolunteerFactory(profile__status="pending")
    ranking = rank_candidates(application)
    assert ranking.candidates == [] and ranking.excluded == []


def test_every_breakdown_adds_up_to_its_score():
    rng = random.Random(7)
    areas = list(Area.objects.filter(prefecture="tokyo").values_list("code", flat=True))[:8]
    codes = ["en", "zh", "vi", "ko", "ne"]
    slots = ["mon:morning", "wed:evening", "sat:morning", "sat:afternoon", "sun:evening"]
    for _ in range(25):
        approved_volunteer(
            area=rng.choice(areas),
            languages=[("ja", "native"), (rng.choice(codes), rng.choice(["fluent", "conversational", "basic"]))],
            availability=rng.sample(slots, 2),
            experience=rng.sample(["raising_children", "teaching_japanese", "supporting_refugees", "living_abroad"], 2),
            interests=rng.sample(["cooking", "films", "music", "sports", "travel"], 2),
            spot_categories=rng.sample(["welfare", "children", "infrastructure"], 1),
            gender=rng.choice(["female", "male"]),
        )
    for _ in range(15):
        ApplicationFactory(
            area=Area.objects.get(code=rng.choice(areas)),
            languages=rng.sample(codes, 2),
            japanese_level=rng.choice(["none", "basic", "conversational"]),
            availability=rng.sample(["weekday:morning", "weekday:evening", "weekend:morning", "weekend:afternoon"], 2),
            household_type=rng.choice(["family", "student", "refugee", "single_worker", "other"]),
            hopes=rng.sample(["japanese", "culture", "child_rearing", "procedures", "friendship"], 2),
            interests=rng.sample(["cooking", "films", "music", "sports", "travel"], 2),
            gender_preference=rng.choice(["any", "female", "male"]),
        )
    scores = score_applications(Application.objects.all())
    checked = 0
    for i in range(len(scores.residents.ids)):
        for j in range(len(scores.volunteers.ids)):
            assert sum(item["points"] for item in scores.breakdown(i, j)) == scores.total[i, j]
            assert bool(scores.reasons(i, j)) != bool(scores.feasible[i, j])
            checked += scores.feasible[i, j]
    assert checked > 10  # the random data must include real candidates


def test_ranking_runs_a_fixed_number_of_queries(django_assert_num_queries):
    application = ApplicationFactory()
    for area in ["tokyo-meguro", "tokyo-shibuya", "tokyo-hachioji"]:
        approved_volunteer(area=area)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            rank_candidates(application)
        return len(queries)

    few = count()
    for area in ["tokyo-meguro", "tokyo-setagaya", "tokyo-nerima"] * 4:
        approved_volunteer(area=area)
    assert count() == few
