"""Every number of the matching policy, pinned through the scoring engine, and bit fields that grow with their
choices. The expected points are written out here on purpose: a change to matching/policy.py must be deliberate.
"""

import numpy as np
import pytest

from jii.choices import Experience, Interest, SpotCategory
from jii.models import Area, VolunteerProfile
from matching import scoring
from matching.explain import describe_reason
from matching.models import Application
from matching.policy import RULES
from matching.ranking import rank_candidates
from matching.scoring import BitField, score_applications
from tests.factories import ApplicationFactory, approved_volunteer

pytestmark = pytest.mark.django_db

KM_PER_DEGREE_OF_LATITUDE = 6371.0 * np.pi / 180


@pytest.fixture(autouse=True)
def areas():
    """Two areas around Meguro's centre: one at the very same point, one 3.2 km north of it."""
    meguro = Area.objects.get(code="tokyo-meguro")
    for code, km in [("test-same-centre", 0.0), ("test-3km-north", 3.2)]:
        Area.objects.create(
            code=code,
            prefecture="tokyo",
            name={"en": code},
            latitude=meguro.latitude + km / KM_PER_DEGREE_OF_LATITUDE,
            longitude=meguro.longitude,
        )


def plain_application(**fields):
    """A resident in Meguro who talks in Japanese, is free on weekend afternoons and answers nothing that earns
    points on its own: a household of "other", no hopes, no interests."""
    fields.setdefault("languages", ["ja"])
    return ApplicationFactory(
        **{
            "household_type": "other",
            "japanese_level": "conversational",
            "availability": ["weekend:afternoon"],
            "hopes": [],
            "interests": [],
            **fields,
        }
    )


def plain_volunteer(**fields):
    """A volunteer in Meguro who speaks only Japanese, is free on Saturday afternoons and lists nothing else."""
    return approved_volunteer(
        **{
            "area": "tokyo-meguro",
            "languages": [("ja", "native")],
            "availability": ["sat:afternoon"],
            "experience": [],
            "interests": [],
            "spot_categories": [],
            **fields,
        }
    )


def pair_totals(application, *volunteers) -> list[int]:
    """Each volunteer's score with the application, as the engine computes it; every pair must be a possible one."""
    scores = score_applications(
        Application.objects.filter(pk=application.pk),
        VolunteerProfile.objects.filter(pk__in=[volunteer.pk for volunteer in volunteers]),
    )
    column = {pk: j for j, pk in enumerate(scores.volunteers.ids.tolist())}
    assert all(scores.feasible[0, column[volunteer.pk]] for volunteer in volunteers)
    return [int(scores.total[0, column[volunteer.pk]]) for volunteer in volunteers]


@pytest.mark.parametrize(
    ("application_fields", "volunteer_fields", "points"),
    [
        pytest.param({}, {}, 30 + 5 + 5, id="same_area, japanese_only, time_band"),
        pytest.param({}, {"area": "test-same-centre"}, 25 + 5 + 5, id="nearby, at no distance"),
        pytest.param({}, {"area": "test-3km-north"}, 15 + 5 + 5, id="nearby, falling to 0 at 8 km"),
        pytest.param(
            {"languages": ["en"]},
            {"languages": [("ja", "native"), ("en", "conversational")]},
            30 + 20 + 5,
            id="shared_language",
        ),
        pytest.param(
            {"availability": ["weekend:afternoon", "weekday:morning"]},
            {"availability": ["sat:afternoon", "mon:morning"]},
            30 + 5 + 10,
            id="time_band, twice",
        ),
        pytest.param(
            {"availability": ["weekend:afternoon", "weekday:morning", "weekday:afternoon", "weekday:evening"]},
            {"availability": ["sat:afternoon", "mon:morning", "tue:afternoon", "wed:evening"]},
            30 + 5 + 15,
            id="time_cap",
        ),
        pytest.param({"interests": ["music"]}, {"interests": ["music"]}, 30 + 5 + 5 + 5, id="interest"),
        pytest.param(
            {"interests": ["music", "films", "sports", "travel"]},
            {"interests": ["music", "films", "sports", "travel"]},
            30 + 5 + 5 + 15,
            id="interest_cap",
        ),
    ],
)
def test_each_weight(application_fields, volunteer_fields, points):
    assert pair_totals(plain_application(**application_fields), plain_volunteer(**volunteer_fields)) == [points]


@pytest.mark.parametrize(
    ("household", "earned"),
    [
        ("family", {"raising_children": 15}),
        ("refugee", {"supporting_refugees": 15, "interpreting": 5}),
        ("student", {"teaching_japanese": 10, "living_abroad": 5}),
        ("single_worker", {"living_abroad": 10}),
        ("other", {}),
    ],
)
def test_what_each_experience_brings_to_each_household(household, earned):
    application = plain_application(household_type=household)
    with_experience = [plain_volunteer(experience=[kind]) for kind in Experience.values]
    without, *totals = pair_totals(application, plain_volunteer(), *with_experience)
    assert {
        kind: total - without for kind, total in zip(Experience.values, totals, strict=True) if total != without
    } == (earned)


PROFILE_ANSWERS = [
    *(("experience", kind) for kind in Experience.values),
    *(("interests", interest) for interest in Interest.values),
    *(("spot_categories", category) for category in SpotCategory.values),
]


@pytest.mark.parametrize(
    ("hope", "earned"),
    [
        ("japanese", {("experience", "teaching_japanese"): 10}),
        ("culture", {("interests", "seasonal_events"): 5}),
        ("child_rearing", {("experience", "raising_children"): 10}),
        ("procedures", {("spot_categories", "welfare"): 5, ("spot_categories", "infrastructure"): 5}),
        ("friendship", {}),
    ],
)
def test_what_in_a_profile_answers_each_hope(hope, earned):
    # The resident has no interests and a household of "other": only the hope can earn points.
    application = plain_application(hopes=[hope])
    answering = [plain_volunteer(**{field: [value]}) for field, value in PROFILE_ANSWERS]
    without, *totals = pair_totals(application, plain_volunteer(), *answering)
    assert {
        answer: total - without for answer, total in zip(PROFILE_ANSWERS, totals, strict=True) if total != without
    } == earned


def test_a_hope_earns_nothing_for_a_resident_who_does_not_hold_it():
    application = plain_application(hopes=["culture"])
    assert pair_totals(application, plain_volunteer(), plain_volunteer(experience=["teaching_japanese"])) == [40, 40]


def test_a_ninth_interest_widens_the_masks_and_ranks(monkeypatch):
    """Interests filled 8 bits: a ninth once crashed ranking with an OverflowError on uint8."""
    monkeypatch.setattr(scoring, "INTERESTS", BitField([*Interest.values, "knitting"]))
    application = plain_application(interests=["knitting"])
    shares_nothing = plain_volunteer(interests=["cooking"])
    knitter = plain_volunteer(interests=["knitting"])
    ranked = rank_candidates(application).candidates
    assert [candidate.volunteer_id for candidate in ranked] == [knitter.pk, shares_nothing.pk]
    assert ranked[0].score - ranked[1].score == 5
    assert {"code": "interests", "interests": ["knitting"], "points": 5} in ranked[0].breakdown


@pytest.mark.parametrize(("choices", "dtype"), [(8, np.uint8), (9, np.uint16), (17, np.uint32), (64, np.uint64)])
def test_a_bit_field_is_as_wide_as_its_choices(choices, dtype):
    names = [f"choice-{i}" for i in range(choices)]
    field = BitField(names)
    masks = field.masks([[names[-1]], names])
    assert masks.dtype == dtype
    assert field.decode(int(masks[0])) == [names[-1]] and field.decode(int(masks[1])) == names


def test_more_than_64_choices_is_an_error_at_once():
    with pytest.raises(ValueError, match="65 choices"):
        BitField(f"choice-{i}" for i in range(65))


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_is_told_to_the_coordinator(rule):
    assert describe_reason({"code": rule, "km": 9.5}) != rule
