"""How OFP candidates are scored: hard rules first, then weighted fit — every number lives in WEIGHTS.

The same code scores one application against every volunteer (the ranked candidate list) and every waiting
application against every free volunteer (an intake round): both sides are turned into arrays once, and each
criterion is one array operation. Each criterion's points are kept apart, so a pair's breakdown is read from
the very numbers that make its score.
"""

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count

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

# Hard rules, in the order a coordinator reads them.
RULES = ["full", "far", "language", "gender", "time", "proposed_before"]


def max_open_pairs() -> int:
    return settings.OFP_PAIRS_PER_VOLUNTEER


def bit_positions(mask: int, names: list) -> list:
    return [name for i, name in enumerate(names) if mask >> i & 1]


def mask_of(values, names: list) -> int:
    index = {name: i for i, name in enumerate(names)}
    mask = 0
    for value in values or []:
        if value in index:
            mask |= 1 << index[value]
    return mask


POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def popcount(masks: np.ndarray) -> np.ndarray:
    """Bits set in each (non-negative, < 2**16) integer."""
    return POPCOUNT[masks & 0xFF] + POPCOUNT[(masks >> 8) & 0xFF]


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

    @classmethod
    def load(cls):
        languages = list(Language.objects.order_by("id").values_list("id", "code"))
        if len(languages) > 62:
            raise ValueError("language masks hold 62 languages")
        areas = {pk: (lat, lon) for pk, lat, lon in Area.objects.values_list("id", "latitude", "longitude")}
        return cls(
            language_codes=[code for _pk, code in languages],
            language_bit={pk: i for i, (pk, _code) in enumerate(languages)},
            area_position=areas,
        )

    @property
    def japanese_bit(self) -> int:
        return 1 << self.language_codes.index("ja") if "ja" in self.language_codes else 0


@dataclass
class Residents:
    ids: np.ndarray
    area: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
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
        through = Application.languages.through.objects.filter(application_id__in=[row[0] for row in rows])
        for application_id, language_id in through.values_list("application_id", "language_id"):
            spoken[application_id] = spoken.get(application_id, 0) | 1 << context.language_bit[language_id]
        languages = [
            spoken.get(row[0], 0) | (context.japanese_bit if row[2] in RESIDENT_SPEAKS_JAPANESE else 0) for row in rows
        ]
        return cls(
            ids=np.array([row[0] for row in rows], dtype=np.int64),
            area=np.array([row[1] for row in rows], dtype=np.int64),
            lat=np.array([context.area_position[row[1]][0] for row in rows], dtype=float),
            lon=np.array([context.area_position[row[1]][1] for row in rows], dtype=float),
            languages=np.array(languages, dtype=np.int64),
            bands=np.array([mask_of(row[3], BANDS) for row in rows], dtype=np.int64),
            household=np.array([HOUSEHOLDS.index(row[4]) for row in rows], dtype=np.int64),
            interests=np.array([mask_of(row[5], INTERESTS) for row in rows], dtype=np.int64),
            hopes=np.array([mask_of(row[6], HOPES) for row in rows], dtype=np.int64),
            gender_preference=np.array([GENDER_CODE[row[7]] for row in rows], dtype=np.int64),
        )


@dataclass
class Volunteers:
    ids: np.ndarray
    area: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    languages: np.ndarray
    bands: np.ndarray
    experience: np.ndarray
    interests: np.ndarray
    hope_points: np.ndarray  # (volunteers × HOPES) points each volunteer earns for each hope
    gender: np.ndarray
    free_places: np.ndarray  # how many more open proposals/pairs they may take

    @classmethod
    def load(cls, profiles, context: Context):
        rows = list(
            profiles.values_list(
                "id", "area_id", "availability", "experience", "interests", "spot_categories", "gender"
            )
        )
        ids = [row[0] for row in rows]
        spoken = {}
        speaking = VolunteerLanguage.objects.filter(volunteer_id__in=ids, level__in=SPEAKING_LEVELS)
        for volunteer_id, language_id in speaking.values_list("volunteer_id", "language_id"):
            spoken[volunteer_id] = spoken.get(volunteer_id, 0) | 1 << context.language_bit[language_id]
        open_matches = dict(
            Match.objects.open()
            .filter(volunteer_id__in=ids)
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
            lat=np.array([context.area_position[row[1]][0] for row in rows], dtype=float),
            lon=np.array([context.area_position[row[1]][1] for row in rows], dtype=float),
            languages=np.array([spoken.get(pk, 0) for pk in ids], dtype=np.int64),
            bands=np.array([mask_of(volunteer_bands(row[2]), BANDS) for row in rows], dtype=np.int64),
            experience=np.array([mask_of(row[3], EXPERIENCES) for row in rows], dtype=np.int64),
            interests=np.array([mask_of(row[4], INTERESTS) for row in rows], dtype=np.int64),
            hope_points=hope_points,
            gender=np.array([GENDER_CODE.get(row[6], 3) for row in rows], dtype=np.int64),
            free_places=np.array([max_open_pairs() - open_matches.get(pk, 0) for pk in ids], dtype=np.int64),
        )


def household_points_table(experience: np.ndarray) -> np.ndarray:
    """(HOUSEHOLDS × volunteers) points a volunteer's experience brings to each household type."""
    table = np.zeros((len(HOUSEHOLDS), len(experience)), dtype=np.int64)
    for h, household in enumerate(HOUSEHOLDS):
        for kind, points in HOUSEHOLD_EXPERIENCE[household].items():
            has = (experience >> EXPERIENCES.index(kind)) & 1
            table[h] += has * points
    return table


def distance_km(residents: Residents, volunteers: Volunteers) -> np.ndarray:
    lat1, lon1 = np.radians(residents.lat)[:, None], np.radians(residents.lon)[:, None]
    lat2, lon2 = np.radians(volunteers.lat)[None, :], np.radians(volunteers.lon)[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class Scores:
    """Every resident × volunteer pair: each rule's verdict and each criterion's points."""

    residents: Residents
    volunteers: Volunteers
    context: Context
    km: np.ndarray
    broken: dict  # rule -> bool matrix, True where the rule excludes the pair
    points: dict  # criterion -> int matrix

    @property
    def feasible(self) -> np.ndarray:
        return ~np.logical_or.reduce(list(self.broken.values()))

    @property
    def total(self) -> np.ndarray:
        return sum(self.points.values())

    def breakdown(self, i: int, j: int) -> list[dict]:
        """The pair's points, criterion by criterion, with what earned them (language-neutral codes)."""
        r, v = self.residents, self.volunteers
        items = []
        if self.points["distance"][i, j]:
            if r.area[i] == v.area[j]:
                items.append({"code": "same_area", "area": int(r.area[i])})
            else:
                items.append({"code": "nearby", "km": round(float(self.km[i, j]), 1)})
            items[-1]["points"] = int(self.points["distance"][i, j])
        if self.points["language"][i, j]:
            shared = int(r.languages[i] & v.languages[j]) & ~self.context.japanese_bit
            codes = bit_positions(shared, self.context.language_codes)
            item = {"code": "language", "languages": codes} if codes else {"code": "japanese"}
            items.append({**item, "points": int(self.points["language"][i, j])})
        if self.points["time"][i, j]:
            bands = bit_positions(int(r.bands[i] & v.bands[j]), BANDS)
            items.append({"code": "time", "bands": bands, "points": int(self.points["time"][i, j])})
        if self.points["household"][i, j]:
            household = HOUSEHOLDS[r.household[i]]
            kinds = [k for k in HOUSEHOLD_EXPERIENCE[household] if v.experience[j] >> EXPERIENCES.index(k) & 1]
            items.append(
                {
                    "code": "household",
                    "household": household,
                    "experience": [str(k) for k in kinds],
                    "points": int(self.points["household"][i, j]),
                }
            )
        if self.points["interests"][i, j]:
            shared = bit_positions(int(r.interests[i] & v.interests[j]), INTERESTS)
            items.append({"code": "interests", "interests": shared, "points": int(self.points["interests"][i, j])})
        if self.points["hopes"][i, j]:
            hopes = [h for k, h in enumerate(HOPES) if r.hopes[i] >> k & 1 and v.hope_points[j, k]]
            items.append({"code": "hopes", "hopes": hopes, "points": int(self.points["hopes"][i, j])})
        return items

    def reasons(self, i: int, j: int) -> list[dict]:
        """Why the pair is excluded: each hard rule it breaks (empty when it is a possible match)."""
        found = []
        for rule in RULES:
            if self.broken[rule][i, j]:
                item = {"code": rule}
                if rule == "far":
                    item["km"] = round(float(self.km[i, j]), 1)
                if rule == "gender":
                    item["wanted"] = next(
                        k for k, code in GENDER_CODE.items() if code == self.residents.gender_preference[i]
                    )
                found.append(item)
        return found


def score(residents: Residents, volunteers: Volunteers, context: Context, proposed_before: set) -> Scores:
    r, v = residents, volunteers
    km = distance_km(r, v)
    same_area = r.area[:, None] == v.area[None, :]
    near = same_area | (km <= NEIGHBOUR_KM)
    shared_languages = r.languages[:, None] & v.languages[None, :]
    shared_other = shared_languages & ~context.japanese_bit
    common_bands = popcount(r.bands[:, None] & v.bands[None, :])
    pref, gender = r.gender_preference[:, None], v.gender[None, :]
    before = np.zeros(km.shape, dtype=bool)
    if proposed_before:
        row = {pk: i for i, pk in enumerate(r.ids.tolist())}
        col = {pk: j for j, pk in enumerate(v.ids.tolist())}
        for application_id, volunteer_id in proposed_before:
            if application_id in row and volunteer_id in col:
                before[row[application_id], col[volunteer_id]] = True

    broken = {
        "full": np.broadcast_to(v.free_places[None, :] <= 0, km.shape),
        "far": ~near,
        "language": shared_languages == 0,
        "gender": (pref != 0) & (pref != gender),
        "time": common_bands == 0,
        "proposed_before": before,
    }
    nearby_points = np.floor(WEIGHTS["nearby"] * np.clip(1 - km / NEIGHBOUR_KM, 0, 1) + 0.5).astype(np.int64)
    points = {
        "distance": np.where(same_area, WEIGHTS["same_area"], nearby_points),
        "language": np.where(
            shared_other != 0, WEIGHTS["shared_language"], np.where(shared_languages != 0, WEIGHTS["japanese_only"], 0)
        ),
        "time": np.minimum(common_bands * WEIGHTS["time_band"], WEIGHTS["time_cap"]),
        "household": household_points_table(v.experience)[r.household, :],
        "interests": np.minimum(
            popcount(r.interests[:, None] & v.interests[None, :]) * WEIGHTS["interest"], WEIGHTS["interest_cap"]
        ),
        "hopes": ((r.hopes[:, None] >> np.arange(len(HOPES))) & 1) @ v.hope_points.T,
    }
    points = {name: np.asarray(matrix, dtype=np.int64) for name, matrix in points.items()}
    return Scores(residents=r, volunteers=v, context=context, km=km, broken=broken, points=points)


def approved_volunteers():
    return VolunteerProfile.objects.filter(status=VolunteerProfile.Status.APPROVED)


def proposed_before(application_ids) -> set:
    """(application, volunteer) pairs already tried: never propose the same partner twice."""
    return set(Match.objects.filter(application_id__in=application_ids).values_list("application_id", "volunteer_id"))


def score_applications(applications, volunteers=None) -> Scores:
    context = Context.load()
    residents = Residents.load(applications, context)
    volunteer_side = Volunteers.load(volunteers if volunteers is not None else approved_volunteers(), context)
    return score(residents, volunteer_side, context, proposed_before(residents.ids.tolist()))
