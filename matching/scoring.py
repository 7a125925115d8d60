"""How OFP candidates are scored: hard rules first, then weighted fit — every number lives in WEIGHTS.

The same code scores one application against every volunteer (the ranked candidate list) and every waiting
application against every free volunteer (an intake round): both sides are turned into arrays once, and each
criterion is one array operation. Each criterion's points are kept apart, so a pair's breakdown is read from
the very numbers that make its score.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.conf import settings
from django.db.models import Count

from jii import readiness
from jii.choices import Experience, HouseholdType, Interest, LanguageLevel, SpotCategory, Weekday
from jii.models import Area, Language, VolunteerLanguage, VolunteerProfile
from matching.models import Application, Hope, JapaneseLevel, Match, TimeBand

# --- The weights (points), in one place ------------------------------------------------------------------
WEIGHTS = {
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
NEIGHBOUR_KM = 8.0

# What a volunteer's experience brings to each kind of household.
HOUSEHOLD_EXPERIENCE = {
    HouseholdType.FAMILY: {Experience.RAISING_CHILDREN: 15},
    HouseholdType.REFUGEE: {Experience.SUPPORTING_REFUGEES: 15, Experience.INTERPRETING: 5},
    HouseholdType.STUDENT: {Experience.TEACHING_JAPANESE: 10, Experience.LIVING_ABROAD: 5},
    HouseholdType.SINGLE_WORKER: {Experience.LIVING_ABROAD: 10},
    HouseholdType.OTHER: {},
}

# What a resident hopes for, and what in a volunteer's profile answers it: (field, value, points).
HOPE_ANSWERS = {
    Hope.JAPANESE: [("experience", Experience.TEACHING_JAPANESE, 10)],
    Hope.CULTURE: [("interests", Interest.SEASONAL_EVENTS, 5)],
    Hope.CHILD_REARING: [("experience", Experience.RAISING_CHILDREN, 10)],
    Hope.PROCEDURES: [
        ("spot_categories", SpotCategory.WELFARE, 5),
        ("spot_categories", SpotCategory.INFRASTRUCTURE, 5),
    ],
    Hope.FRIENDSHIP: [],
}

SPEAKING_LEVELS = [LanguageLevel.NATIVE, LanguageLevel.FLUENT, LanguageLevel.CONVERSATIONAL]
RESIDENT_SPEAKS_JAPANESE = [JapaneseLevel.CONVERSATIONAL, JapaneseLevel.FLUENT]
BANDS = list(TimeBand.values)
WEEKEND = {Weekday.SAT.value, Weekday.SUN.value}
INTERESTS = list(Interest.values)
HOUSEHOLDS = list(HouseholdType.values)
EXPERIENCES = list(Experience.values)
HOPES = list(Hope.values)
GENDER_CODE = {"any": 0, "female": 1, "male": 2, "other": 3}

# Hard rules, in the order a coordinator reads them. "not_ready": the volunteer may not help yet (paused, no
# orientation, no insurance for this year or not the current pledge: jii/readiness.py).
RULES = ["not_ready", "full", "far", "language", "gender", "time", "proposed_before"]
READINESS = list(readiness.MISSING)


def max_open_pairs() -> int:
    return settings.OFP_PAIRS_PER_VOLUNTEER


def bit_positions(mask: int, names: list) -> list:
    found = []
    while mask:
        lowest = mask & -mask
        found.append(names[lowest.bit_length() - 1])
        mask ^= lowest
    return found


BIT_INDEX = {}  # id(names) -> {name: bit}, so each vocabulary's index is built once


def mask_of(values, names: list) -> int:
    index = BIT_INDEX.get(id(names)) or BIT_INDEX.setdefault(id(names), {name: i for i, name in enumerate(names)})
    mask = 0
    for value in values or ():
        bit = index.get(value)
        if bit is not None:
            mask |= 1 << bit
    return mask


POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int16)


def popcount(masks: np.ndarray) -> np.ndarray:
    """Bits set in each mask; the masks compared this way (time bands, interests) fit in 8 bits."""
    return POPCOUNT[masks]


def volunteer_bands(slots) -> list:
    """A volunteer's weekday slots ("sat:morning") as the resident form's bands ("weekend:morning")."""
    bands = set()
    for slot in slots or []:
        day, _, time = slot.partition(":")
        bands.add(f"{'weekend' if day in WEEKEND else 'weekday'}:{time}")
    return sorted(bands)


@dataclass
class Context:
    """What both sides are measured against: the language bits and the areas' positions."""

    language_codes: list  # bit i = language_codes[i]
    language_bit: dict  # language id -> bit
    area_position: dict  # area id -> (latitude, longitude)
    area_index: dict  # area id -> row of area_km
    area_km: np.ndarray  # kilometres between every two areas' centres
    area_far: np.ndarray  # True where two areas are too far apart to pair
    area_points: np.ndarray  # distance points between every two areas

    @classmethod
    def load(cls):
        languages = list(Language.objects.order_by("id").values_list("id", "code"))
        if len(languages) > 63:
            raise ValueError("language masks hold 63 languages")
        areas = {pk: (lat, lon) for pk, lat, lon in Area.objects.values_list("id", "latitude", "longitude")}
        positions = np.radians(np.array(list(areas.values()), dtype=float).reshape(-1, 2))
        area_km = haversine_matrix(positions[:, 0], positions[:, 1])
        return cls(
            language_codes=[code for _pk, code in languages],
            language_bit={pk: i for i, (pk, _code) in enumerate(languages)},
            area_position=areas,
            area_index={pk: i for i, pk in enumerate(areas)},
            area_km=area_km,
            area_far=(area_km > NEIGHBOUR_KM) & ~np.eye(len(areas), dtype=bool),
            area_points=area_distance_points(area_km),
        )

    @property
    def language_dtype(self):
        """The smallest unsigned integer that holds one bit per language (uint16 for up to 16)."""
        for dtype in (np.uint16, np.uint32, np.uint64):
            if len(self.language_codes) <= np.iinfo(dtype).bits:
                return dtype
        raise ValueError("too many languages")

    @property
    def japanese_bit(self) -> int:
        return 1 << self.language_codes.index("ja") if "ja" in self.language_codes else 0


@dataclass
class Residents:
    ids: np.ndarray
    area: np.ndarray
    languages: np.ndarray  # languages they can talk in, Japanese included if conversational
    bands: np.ndarray
    household: np.ndarray  # index into HOUSEHOLDS
    interests: np.ndarray
    hopes: np.ndarray
    gender_preference: np.ndarray

    @classmethod
    def load(cls, applications, context: Context):
        rows = list(
            applications.values_list(
                "id", "area_id", "japanese_level", "availability", "household_type", "interests", "hopes",
                "gender_preference",
            )
        )  # fmt: skip
        spoken = {}
        through = Application.languages.through.objects.filter(application_id__in=applications.values("id"))
        for application_id, language_id in through.values_list("application_id", "language_id"):
            spoken[application_id] = spoken.get(application_id, 0) | 1 << context.language_bit[language_id]
        languages = [
            spoken.get(row[0], 0) | (context.japanese_bit if row[2] in RESIDENT_SPEAKS_JAPANESE else 0) for row in rows
        ]
        return cls(
            ids=np.array([row[0] for row in rows], dtype=np.int64),
            area=np.array([row[1] for row in rows], dtype=np.int64),
            languages=np.array(languages, dtype=context.language_dtype),
            bands=np.array([mask_of(row[3], BANDS) for row in rows], dtype=np.uint8),
            household=np.array([HOUSEHOLDS.index(row[4]) for row in rows], dtype=np.int64),
            interests=np.array([mask_of(row[5], INTERESTS) for row in rows], dtype=np.uint8),
            hopes=np.array([mask_of(row[6], HOPES) for row in rows], dtype=np.int64),
            gender_preference=np.array([GENDER_CODE[row[7]] for row in rows], dtype=np.int8),
        )


@dataclass
class Volunteers:
    ids: np.ndarray
    area: np.ndarray
    languages: np.ndarray
    bands: np.ndarray
    experience: np.ndarray
    interests: np.ndarray
    hope_points: np.ndarray  # (volunteers × HOPES) points each volunteer earns for each hope
    gender: np.ndarray
    free_places: np.ndarray  # how many more open proposals/pairs they may take
    missing: np.ndarray  # bits of READINESS: what each still lacks before helping (0: ready)

    @classmethod
    def load(cls, profiles, context: Context):
        checks = [f"is_{code}_ok" for code in READINESS]
        rows = list(
            readiness.with_readiness(profiles).values_list(
                "id", "area_id", "availability", "experience", "interests", "spot_categories", "gender", *checks
            )
        )
        ids = [row[0] for row in rows]
        # Subqueries, not lists of ids: thousands of volunteers stay one short statement each.
        chosen = profiles.values("id")
        spoken = {}
        speaking = VolunteerLanguage.objects.filter(volunteer_id__in=chosen, level__in=SPEAKING_LEVELS)
        for volunteer_id, language_id in speaking.values_list("volunteer_id", "language_id"):
            spoken[volunteer_id] = spoken.get(volunteer_id, 0) | 1 << context.language_bit[language_id]
        open_matches = dict(
            Match.objects.open()
            .filter(volunteer_id__in=chosen)
            .values("volunteer_id")
            .annotate(n=Count("id"))
            .values_list("volunteer_id", "n")
        )
        hope_points = np.zeros((len(rows), len(HOPES)), dtype=np.int64)
        for r, row in enumerate(rows):
            profile = {"experience": row[3] or [], "interests": row[4] or [], "spot_categories": row[5] or []}
            for h, hope in enumerate(HOPES):
                hope_points[r, h] = sum(
                    points for field, value, points in HOPE_ANSWERS[hope] if value in profile[field]
                )
        return cls(
            ids=np.array(ids, dtype=np.int64),
            area=np.array([row[1] for row in rows], dtype=np.int64),
            languages=np.array([spoken.get(pk, 0) for pk in ids], dtype=context.language_dtype),
            bands=np.array([mask_of(volunteer_bands(row[2]), BANDS) for row in rows], dtype=np.uint8),
            experience=np.array([mask_of(row[3], EXPERIENCES) for row in rows], dtype=np.int64),
            interests=np.array([mask_of(row[4], INTERESTS) for row in rows], dtype=np.uint8),
            hope_points=hope_points,
            gender=np.array([GENDER_CODE.get(row[6], 3) for row in rows], dtype=np.int8),
            free_places=np.array([max_open_pairs() - open_matches.get(pk, 0) for pk in ids], dtype=np.int64),
            missing=np.array(
                [mask_of([c for c, ok in zip(READINESS, row[7:], strict=True) if not ok], READINESS) for row in rows],
                dtype=np.int64,
            ),
        )


def household_points_table(experience: np.ndarray) -> np.ndarray:
    """(HOUSEHOLDS × volunteers) points a volunteer's experience brings to each household type."""
    table = np.zeros((len(HOUSEHOLDS), len(experience)), dtype=np.int16)
    for h, household in enumerate(HOUSEHOLDS):
        for kind, points in HOUSEHOLD_EXPERIENCE[household].items():
            has = (experience >> EXPERIENCES.index(kind)) & 1
            table[h] += has * points
    return table


def haversine_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Kilometres between every two points given in radians."""
    dlat, dlon = lat[None, :] - lat[:, None], lon[None, :] - lon[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class Scores:
    """Every resident × volunteer pair: each rule's verdict and each criterion's points."""

    residents: Residents
    volunteers: Volunteers
    context: Context
    rows: np.ndarray  # each resident's area, as an index into context.area_km
    cols: np.ndarray  # each volunteer's area, likewise
    broken: dict  # rule -> bool matrix, True where the rule excludes the pair
    points: dict  # criterion -> int matrix

    def km(self, i: int, j: int) -> float:
        return round(float(self.context.area_km[self.rows[i], self.cols[j]]), 1)

    @cached_property
    def feasible(self) -> np.ndarray:
        # The volunteer-only rules are one row broadcast: OR them as a row, then over the full matrices once.
        by_volunteer = [name for name in ("not_ready", "full") if name in self.broken]
        ruled_out = np.logical_or.reduce([self.broken[name][0] for name in by_volunteer]) if len(self.rows) else None
        pairs = np.logical_or.reduce([matrix for name, matrix in self.broken.items() if name not in by_volunteer])
        return ~pairs if ruled_out is None else ~pairs & ~ruled_out[None, :]

    @cached_property
    def total(self) -> np.ndarray:
        total = np.zeros((len(self.rows), len(self.cols)), dtype=np.int32)
        for matrix in self.points.values():
            total += matrix
        return total

    def breakdown(self, i: int, j: int) -> list[dict]:
        """The pair's points, criterion by criterion, with what earned them (language-neutral codes)."""
        r, v = self.residents, self.volunteers
        items = []
        if self.points["distance"][i, j]:
            if r.area[i] == v.area[j]:
                items.append({"code": "same_area", "area": int(r.area[i])})
            else:
                items.append({"code": "nearby", "km": self.km(i, j)})
            items[-1]["points"] = int(self.points["distance"][i, j])
        if self.points["language"][i, j]:
            shared = int(r.languages[i] & v.languages[j]) & ~self.context.japanese_bit
            codes = bit_positions(shared, self.context.language_codes)
            item = {"code": "language", "languages": codes} if codes else {"code": "japanese"}
            items.append({**item, "points": int(self.points["language"][i, j])})
        if self.points["time"][i, j]:
            bands = bit_positions(int(r.bands[i]) & int(v.bands[j]), BANDS)
            items.append({"code": "time", "bands": bands, "points": int(self.points["time"][i, j])})
        if self.points["household"][i, j]:
            household = HOUSEHOLDS[int(r.household[i])]
            experience = int(v.experience[j])
            kinds = [k for k in HOUSEHOLD_EXPERIENCE[household] if experience >> EXPERIENCES.index(k) & 1]
            items.append(
                {
                    "code": "household",
                    "household": household,
                    "experience": [str(k) for k in kinds],
                    "points": int(self.points["household"][i, j]),
                }
            )
        if self.points["interests"][i, j]:
            shared = bit_positions(int(r.interests[i]) & int(v.interests[j]), INTERESTS)
            items.append({"code": "interests", "interests": shared, "points": int(self.points["interests"][i, j])})
        if self.points["hopes"][i, j]:
            wanted, answered = int(r.hopes[i]), v.hope_points[j].tolist()
            hopes = [h for k, h in enumerate(HOPES) if wanted >> k & 1 and answered[k]]
            items.append({"code": "hopes", "hopes": hopes, "points": int(self.points["hopes"][i, j])})
        return items

    def reasons(self, i: int, j: int) -> list[dict]:
        """Why the pair is excluded: each hard rule it breaks (empty when it is a possible match)."""
        found = []
        for rule in RULES:
            if self.broken[rule][i, j]:
                item = {"code": rule}
                if rule == "far":
                    item["km"] = self.km(i, j)
                if rule == "not_ready":
                    item["missing"] = bit_positions(int(self.volunteers.missing[j]), READINESS)
                if rule == "gender":
                    item["wanted"] = next(
                        k for k, code in GENDER_CODE.items() if code == self.residents.gender_preference[i]
                    )
                found.append(item)
        return found


def area_distance_points(area_km: np.ndarray) -> np.ndarray:
    """Distance points between every two areas: the same area, or a neighbour by how close its centre is."""
    nearby = np.floor(WEIGHTS["nearby"] * np.clip(1 - area_km / NEIGHBOUR_KM, 0, 1) + 0.5)
    points = np.where(area_km <= NEIGHBOUR_KM, nearby, 0).astype(np.int16)
    np.fill_diagonal(points, WEIGHTS["same_area"])
    return points


def score(residents: Residents, volunteers: Volunteers, context: Context, proposed_before: set) -> Scores:
    """Every rule and criterion for every pair. What depends only on the two areas is computed once per area
    pair and looked up; the rest are array operations on small integer types (2,000 × 2,000 pairs in about a
    tenth of a second)."""
    r, v = residents, volunteers
    rows = np.array([context.area_index[pk] for pk in r.area.tolist()], dtype=np.intp)
    cols = np.array([context.area_index[pk] for pk in v.area.tolist()], dtype=np.intp)
    by_area = np.ix_(rows, cols)
    shape = (len(rows), len(cols))
    shared_languages = r.languages[:, None] & v.languages[None, :]
    has_shared = shared_languages != 0
    has_other = ((r.languages & ~np.array(context.japanese_bit, dtype=r.languages.dtype))[:, None] & v.languages) != 0
    common_bands = popcount(r.bands[:, None] & v.bands[None, :])
    before = np.zeros(shape, dtype=bool)
    if proposed_before:
        row = {pk: i for i, pk in enumerate(r.ids.tolist())}
        col = {pk: j for j, pk in enumerate(v.ids.tolist())}
        for application_id, volunteer_id in proposed_before:
            if application_id in row and volunteer_id in col:
                before[row[application_id], col[volunteer_id]] = True

    broken = {
        "not_ready": np.broadcast_to(v.missing[None, :] != 0, shape),
        "full": np.broadcast_to(v.free_places[None, :] <= 0, shape),
        "far": context.area_far[by_area],
        "language": ~has_shared,
        "gender": (r.gender_preference[:, None] != 0) & (r.gender_preference[:, None] != v.gender[None, :]),
        "time": common_bands == 0,
        "proposed_before": before,
    }
    hope_bits = ((r.hopes[:, None] >> np.arange(len(HOPES))) & 1).astype(np.float32)
    language_points = np.where(
        has_other, np.int16(WEIGHTS["shared_language"]), np.where(has_shared, np.int16(WEIGHTS["japanese_only"]), 0)
    )
    points = {
        "distance": context.area_points[by_area],
        "language": language_points,
        "time": np.minimum(common_bands * WEIGHTS["time_band"], WEIGHTS["time_cap"]),
        "household": household_points_table(v.experience)[r.household, :],
        "interests": np.minimum(
            popcount(r.interests[:, None] & v.interests[None, :]) * WEIGHTS["interest"], WEIGHTS["interest_cap"]
        ),
        # A small matrix product; float32 is exact for these sums and runs on BLAS.
        "hopes": hope_bits @ v.hope_points.T.astype(np.float32),
    }
    points = {name: matrix.astype(np.int16, copy=False) for name, matrix in points.items()}
    return Scores(residents=r, volunteers=v, context=context, rows=rows, cols=cols, broken=broken, points=points)


def approved_volunteers():
    return VolunteerProfile.objects.approved()


def proposed_before(application_ids) -> set:
    """(application, volunteer) pairs already tried: never propose the same partner twice."""
    return set(Match.objects.filter(application_id__in=application_ids).values_list("application_id", "volunteer_id"))


def score_applications(applications, volunteers=None, context: Context | None = None) -> Scores:
    context = context or Context.load()
    residents = Residents.load(applications, context)
    volunteer_side = Volunteers.load(volunteers if volunteers is not None else approved_volunteers(), context)
    return score(residents, volunteer_side, context, proposed_before(applications.values("id")))


def areas_near(context: Context, area_id: int) -> list[int]:
    """Areas whose centre is within NEIGHBOUR_KM of this one's (the area itself included)."""
    distances = context.area_km[context.area_index[area_id]]
    return [pk for pk, i in context.area_index.items() if pk == area_id or distances[i] <= NEIGHBOUR_KM]
