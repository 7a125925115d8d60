"""What OFP matching values: the hard rules, the weights (points) and what in a volunteer answers what in a
resident. This is the page a coordinator or the board changes; matching/scoring.py applies it to every pair at
once, and tests/matching/test_scoring_policy.py pins each number, so a change here is a deliberate one.
"""

from jii.choices import Experience, HouseholdType, Interest, LanguageLevel, SpotCategory
from matching.models import Hope, JapaneseLevel

# Hard rules, in the order a coordinator reads them (matching/explain.py tells each). "not_ready": the volunteer
# may not help yet (paused, no orientation, no insurance for this year or not the current pledge: jii/readiness.py).
RULES: list[str] = ["not_ready", "full", "far", "language", "gender", "time", "proposed_before"]

WEIGHTS: dict[str, int] = {
    # Distance: living in the same city or ward matters most; a neighbouring one earns up to `nearby` points,
    # falling linearly to 0 at NEIGHBOUR_KM. Farther than that is not a match at all (hard rule).
    "same_area": 30,
    "nearby": 25,
    # Language: a shared language other than Japanese makes the first months far easier.
    "shared_language": 20,
    "japanese_only": 5,
    # Time: per weekday/weekend × morning/afternoon/evening band both are free in, capped.
    "time_band": 5,
    "time_cap": 15,
    # Interests: per shared interest, capped.
    "interest": 5,
    "interest_cap": 15,
}
NEIGHBOUR_KM: float = 8.0

# Who counts as speaking a language with the resident: the volunteer at these levels, the resident in Japanese
# at these.
SPEAKING_LEVELS: list[str] = [LanguageLevel.NATIVE, LanguageLevel.FLUENT, LanguageLevel.CONVERSATIONAL]
RESIDENT_SPEAKS_JAPANESE: list[str] = [JapaneseLevel.CONVERSATIONAL, JapaneseLevel.FLUENT]

# What a volunteer's experience brings to each kind of household (points add up).
HOUSEHOLD_EXPERIENCE: dict[str, dict[str, int]] = {
    HouseholdType.FAMILY: {Experience.RAISING_CHILDREN: 15},
    HouseholdType.REFUGEE: {Experience.SUPPORTING_REFUGEES: 15, Experience.INTERPRETING: 5},
    HouseholdType.STUDENT: {Experience.TEACHING_JAPANESE: 10, Experience.LIVING_ABROAD: 5},
    HouseholdType.SINGLE_WORKER: {Experience.LIVING_ABROAD: 10},
    HouseholdType.OTHER: {},
}

# What a resident hopes for, and what in a volunteer's profile answers it: (profile field, value, points).
HOPE_ANSWERS: dict[str, list[tuple[str, str, int]]] = {
    Hope.JAPANESE: [("experience", Experience.TEACHING_JAPANESE, 10)],
    Hope.CULTURE: [("interests", Interest.SEASONAL_EVENTS, 5)],
    Hope.CHILD_REARING: [("experience", Experience.RAISING_CHILDREN, 10)],
    Hope.PROCEDURES: [
        ("spot_categories", SpotCategory.WELFARE, 5),
        ("spot_categories", SpotCategory.INFRASTRUCTURE, 5),
    ],
    Hope.FRIENDSHIP: [],
}
