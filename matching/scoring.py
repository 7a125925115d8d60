"""How OFP candidates are scored: the engine that applies matching/policy.py (rules, weights, tables) to pairs.

The same code scores one application against every volunteer (the ranked candidate list) and every waiting
application against every free volunteer (an intake round): both sides are turned into arrays once, and each
rule and criterion is one array operation over all pairs. Each criterion's points are kept apart, so a pair's
breakdown is read from the very numbers that make its score.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, QuerySet

from jii import readiness
from jii.choices import Experience, HouseholdType, Interest, Weekday
from jii.models import Area, Language, VolunteerLanguage, VolunteerProfile
from matching.models import Application, Hope, Match, TimeBand
from matching.policy import (
    HOPE_ANSWERS,
    HOUSEHOLD_EXPERIENCE,
    NEIGHBOUR_KM,
    RESIDENT_SPEAKS_JAPANESE,
    RULES,
    SPEAKING_LEVELS,
    WEIGHTS,
)

MASK_DTYPES: tuple[type[np.unsignedinteger[Any]], ...] = (np.uint8, np.uint16, np.uint32, np.uint64)


class BitField:
    """A set of choices as one integer, bit i standing for names[i], kept in the smallest unsigned type that holds
    them all: a new choice widens the arrays instead of overflowing them; more than 64 is an error at once."""

    def __init__(self, names: Iterable[str]):
        self.names = list(names)
        self.bit = {name: i for i, name in enumerate(self.names)}
        fitting = [dtype for dtype in MASK_DTYPES if len(self.names) <= np.iinfo(dtype).bits]
        if not fitting:
            raise ValueError(f"{len(self.names)} choices do not fit in a 64-bit mask: {self.names}")
        self.dtype = fitting[0]

    def mask(self, values: Iterable[str] | None) -> int:
        mask = 0
        for value in values or ():
            bit = self.bit.get(value)
            if bit is not None:  # a choice since retired counts for nothing
                mask |= 1 << bit
        return mask

    def masks(self, rows: Iterable[Iterable[str] | None]) -> np.ndarray:
        return np.array([self.mask(values) for values in rows], dtype=self.dtype)

    def decode(self, mask: int) -> list[str]:
        return [name for i, name in enumerate(self.names) if mask >> i & 1]

    def bits(self, masks: np.ndarray) -> np.ndarray:
        """(len(masks) × choices) booleans: column k is True where a mask holds names[k]."""
        shifts = np.arange(len(self.names), dtype=masks.dtype)
        return ((masks[:, None] >> shifts) & 1).astype(bool)


BANDS = BitField(TimeBand.values)
INTERESTS = BitField(Interest.values)
EXPERIENCES = BitField(Experience.values)
HOPES = BitField(Hope.values)
READINESS = BitField(readiness.MISSING)
HOUSEHOLDS: list[str] = list(HouseholdType.values)  # one each: an index, not a mask
WEEKEND = {Weekday.SAT.value, Weekday.SUN.value}
GENDER_CODE = {"any": 0, "female": 1, "male": 2, "other": 3}


def max_open_pairs() -> int:
    return settings.OFP_PAIRS_PER_VOLUNTEER


def volunteer_bands(slots: Iterable[str] | None) -> list[str]:
    """A volunteer's weekday slots ("sat:morning") as the resident form's bands ("weekend:morning")."""
    bands = set()
    for slot in slots or []:
        day, _, time = slot.partition(":")
        bands.add(f"{'weekend' if day in WEEKEND else 'weekday'}:{time}")
    return sorted(bands)


def haversine_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Kilometres between every two points given in radians."""
    dlat, dlon = lat[None, :] - lat[:, None], lon[None, :] - lon[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def area_distance_points(area_km: np.ndarray) -> np.ndarray:
    """Distance points between every two areas: the same area, or a neighbour by how close its centre is."""
    nearby = np.floor(WEIGHTS["nearby"] * np.clip(1 - area_km / NEIGHBOUR_KM, 0, 1) + 0.5)
    points = np.where(area_km <= NEIGHBOUR_KM, nearby, 0).astype(np.int16)
    np.fill_diagonal(points, WEIGHTS["same_area"])
    return points


@dataclass
class Context:
    """What both sides are measured against: the language bits and the areas' positions."""

    languages: BitField  # of language codes
    language_bit: dict[int, int]  # language id -> bit
    area_index: dict[int, int]  # area id -> row of area_km
    area_km: np.ndarray  # kilometres between every two areas' centres
    area_far: np.ndarray  # True where two areas are too far apart to pair
    area_points: np.ndarray  # distance points between every two areas

    @classmethod
    def load(cls) -> "Context":
        languages = list(Language.objects.order_by("id").values_list("id", "code"))
        areas = list(Area.objects.values_list("id", "latitude", "longitude"))
        positions = np.radians(np.array([(lat, lon) for _pk, lat, lon in areas], dtype=float).reshape(-1, 2))
        area_km = haversine_matrix(positions[:, 0], positions[:, 1])
        return cls(
            languages=BitField(code for _pk, code in languages),
            language_bit={pk: i for i, (pk, _code) in enumerate(languages)},
            area_index={pk: i for i, (pk, _lat, _lon) in enumerate(areas)},
            area_km=area_km,
            area_far=(area_km > NEIGHBOUR_KM) & ~np.eye(len(areas), dtype=bool),
            area_points=area_distance_points(area_km),
        )

    @property
    def japanese_bit(self) -> int:
        return 1 << self.languages.bit["ja"] if "ja" in self.languages.bit else 0

    def positions(self, area_ids: np.ndarray) -> np.ndarray:
        return np.array([self.area_index[pk] for pk in area_ids.tolist()], dtype=np.intp)

    @staticmethod
    def by_areas(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """table[rows[i], cols[j]] for every pair; two takes are many times faster than fancy-indexing by np.ix_."""
        return table.take(rows, axis=0).take(cols, axis=1)


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
    def load(cls, applications: QuerySet[Application], context: Context) -> "Residents":
        rows = list(
            applications.values_list(
                "id", "area_id", "japanese_level", "availability", "household_type", "interests", "hopes",
                "gender_preference",
            )
        )  # fmt: skip
        spoken: dict[int, int] = {}
        through = Application.languages.through.objects.filter(application_id__in=applications.values("id"))
        for application_id, language_id in through.values_list("application_id", "language_id"):
            spoken[application_id] = spoken.get(application_id, 0) | 1 << context.language_bit[language_id]
        japanese = context.japanese_bit
        languages = [spoken.get(row[0], 0) | (japanese if row[2] in RESIDENT_SPEAKS_JAPANESE else 0) for row in rows]
        return cls(
            ids=np.array([row[0] for row in rows], dtype=np.int64),
            area=np.array([row[1] for row in rows], dtype=np.int64),
            languages=np.array(languages, dtype=context.languages.dtype),
            bands=BANDS.masks(row[3] for row in rows),
            household=np.array([HOUSEHOLDS.index(row[4]) for row in rows], dtype=np.intp),
            interests=INTERESTS.masks(row[5] for row in rows),
            hopes=HOPES.masks(row[6] for row in rows),
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
    missing: np.ndarray  # READINESS mask: what each still lacks before helping (0: ready)

    @classmethod
    def load(cls, profiles: QuerySet[VolunteerProfile], context: Context) -> "Volunteers":
        checks = [f"is_{code}_ok" for code in READINESS.names]
        rows = list(
            readiness.with_readiness(profiles).values_list(
                "id", "area_id", "availability", "experience", "interests", "spot_categories", "gender", *checks
            )
        )
        ids = [row[0] for row in rows]
        # Subqueries, not lists of ids: thousands of volunteers stay one short statement each.
        chosen = profiles.values("id")
        spoken: dict[int, int] = {}
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
        hope_points = np.zeros((len(rows), len(HOPES.names)), dtype=np.int16)
        for r, row in enumerate(rows):
            profile = {"experience": row[3] or [], "interests": row[4] or [], "spot_categories": row[5] or []}
            for h, hope in enumerate(HOPES.names):
                hope_points[r, h] = sum(
                    points for field, value, points in HOPE_ANSWERS[hope] if value in profile[field]
                )
        return cls(
            ids=np.array(ids, dtype=np.int64),
            area=np.array([row[1] for row in rows], dtype=np.int64),
            languages=np.array([spoken.get(pk, 0) for pk in ids], dtype=context.languages.dtype),
            bands=BANDS.masks(volunteer_bands(row[2]) for row in rows),
            experience=EXPERIENCES.masks(row[3] for row in rows),
            interests=INTERESTS.masks(row[4] for row in rows),
            hope_points=hope_points,
            gender=np.array([GENDER_CODE.get(row[6], 3) for row in rows], dtype=np.int8),
            free_places=np.array([max_open_pairs() - open_matches.get(pk, 0) for pk in ids], dtype=np.int64),
            missing=READINESS.masks(
                [code for code, ok in zip(READINESS.names, row[7:], strict=True) if not ok] for row in rows
            ),
        )


@dataclass
class Scores:
    """Every resident × volunteer pair: each rule's verdict and each criterion's points."""

    residents: Residents
    volunteers: Volunteers
    context: Context
    rows: np.ndarray  # each resident's area, as an index into context.area_km
    cols: np.ndarray  # each volunteer's area, likewise
    broken: dict[str, np.ndarray]  # rule -> bool matrix, True where the rule excludes the pair
    points: dict[str, np.ndarray]  # criterion -> int16 matrix
    feasible: np.ndarray  # True where no rule excludes the pair
    total: np.ndarray  # int32: the sum of the criteria's points

    def km(self, i: int, j: int) -> float:
        return round(float(self.context.area_km[self.rows[i], self.cols[j]]), 1)

    def breakdown(self, i: int, j: int) -> list[dict]:
        """The pair's points, criterion by criterion, with what earned them (language-neutral codes)."""
        r, v = self.residents, self.volunteers
        earned = {name: int(matrix[i, j]) for name, matrix in self.points.items()}
        items: list[dict] = []
        if earned["distance"]:
            if r.area[i] == v.area[j]:
                items.append({"code": "same_area", "area": int(r.area[i]), "points": earned["distance"]})
            else:
                items.append({"code": "nearby", "km": self.km(i, j), "points": earned["distance"]})
        if earned["language"]:
            shared = int(r.languages[i] & v.languages[j]) & ~self.context.japanese_bit
            codes = self.context.languages.decode(shared)
            item = {"code": "language", "languages": codes} if codes else {"code": "japanese"}
            items.append({**item, "points": earned["language"]})
        if earned["time"]:
            bands = BANDS.decode(int(r.bands[i]) & int(v.bands[j]))
            items.append({"code": "time", "bands": bands, "points": earned["time"]})
        if earned["household"]:
            household = HOUSEHOLDS[int(r.household[i])]
            experience = int(v.experience[j])
            kinds = [k for k in HOUSEHOLD_EXPERIENCE[household] if experience >> EXPERIENCES.bit[k] & 1]
            items.append(
                {
                    "code": "household",
                    "household": household,
                    "experience": [str(k) for k in kinds],
                    "points": earned["household"],
                }
            )
        if earned["interests"]:
            shared_interests = INTERESTS.decode(int(r.interests[i]) & int(v.interests[j]))
            items.append({"code": "interests", "interests": shared_interests, "points": earned["interests"]})
        if earned["hopes"]:
            wanted, answered = int(r.hopes[i]), v.hope_points[j].tolist()
            hopes = [h for k, h in enumerate(HOPES.names) if wanted >> k & 1 and answered[k]]
            items.append({"code": "hopes", "hopes": hopes, "points": earned["hopes"]})
        return items

    def reasons(self, i: int, j: int) -> list[dict]:
        """Why the pair is excluded: each hard rule it breaks (empty when it is a possible match)."""
        found = []
        for rule in RULES:
            if self.broken[rule][i, j]:
                item: dict[str, Any] = {"code": rule}
                if rule == "far":
                    item["km"] = self.km(i, j)
                if rule == "not_ready":
                    item["missing"] = READINESS.decode(int(self.volunteers.missing[j]))
                if rule == "gender":
                    item["wanted"] = next(
                        k for k, code in GENDER_CODE.items() if code == self.residents.gender_preference[i]
                    )
                found.append(item)
        return found


def household_points_table(experience: np.ndarray) -> np.ndarray:
    """(HOUSEHOLDS × volunteers) points a volunteer's experience brings to each household type."""
    has = EXPERIENCES.bits(experience)
    table = np.zeros((len(HOUSEHOLDS), len(experience)), dtype=np.int16)
    for h, household in enumerate(HOUSEHOLDS):
        for kind, points in HOUSEHOLD_EXPERIENCE[household].items():
            table[h] += has[:, EXPERIENCES.bit[kind]] * np.int16(points)
    return table


def pairs_matrix(pairs: set[tuple[int, int]], row_ids: np.ndarray, col_ids: np.ndarray) -> np.ndarray:
    """True where (row id, column id) is one of the pairs."""
    matrix = np.zeros((len(row_ids), len(col_ids)), dtype=bool)
    if pairs:
        row = {pk: i for i, pk in enumerate(row_ids.tolist())}
        col = {pk: j for j, pk in enumerate(col_ids.tolist())}
        for row_id, col_id in pairs:
            if row_id in row and col_id in col:
                matrix[row[row_id], col[col_id]] = True
    return matrix


def by_resident(answers: np.ndarray, rows_for: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The residents × volunteers matrix of something that depends on one answer of the resident's: rows_for
    works out the row of each distinct answer (2,000 residents give a few dozen distinct sets of interests, and
    as many areas as there are), and each resident's row is copied from it. One full matrix is made, by a copy."""
    distinct, which = np.unique(answers, return_inverse=True)
    return rows_for(distinct).take(which, axis=0)


def score(
    residents: Residents, volunteers: Volunteers, context: Context, proposed_before: set[tuple[int, int]]
) -> Scores:
    """Every rule and criterion for every pair (2,000 × 2,000 in a few hundredths of a second). Each is worked
    out for each distinct resident answer against all volunteers, in small tables, and copied to the residents
    who gave it (by_resident); the volunteer-only rules are one row, broadcast. Points are int16."""
    r, v = residents, volunteers
    rows, cols = context.positions(r.area), context.positions(v.area)
    shape = (len(rows), len(cols))

    def language_points(spoken: np.ndarray) -> np.ndarray:
        shared = spoken[:, None] & v.languages
        other = shared & ~shared.dtype.type(context.japanese_bit)
        points = np.where(other != 0, WEIGHTS["shared_language"], np.where(shared != 0, WEIGHTS["japanese_only"], 0))
        return points.astype(np.int16)

    def capped(common: np.ndarray, each: str, cap: str) -> np.ndarray:
        """WEIGHTS[each] per bit in common, at most WEIGHTS[cap]."""
        return np.minimum(np.bitwise_count(common).astype(np.int16) * WEIGHTS[each], WEIGHTS[cap])

    def gender_refused(wanted: np.ndarray) -> np.ndarray:
        return (wanted[:, None] != 0) & (wanted[:, None] != v.gender)

    broken = {
        "not_ready": np.broadcast_to(v.missing != 0, shape),
        "full": np.broadcast_to(v.free_places <= 0, shape),
        "far": by_resident(rows, lambda areas: context.area_far[np.ix_(areas, cols)]),
        "language": by_resident(r.languages, lambda spoken: (spoken[:, None] & v.languages) == 0),
        "gender": by_resident(r.gender_preference, gender_refused),
        "time": by_resident(r.bands, lambda bands: (bands[:, None] & v.bands) == 0),
        "proposed_before": pairs_matrix(proposed_before, r.ids, v.ids),
    }
    excluded = np.zeros(shape, dtype=bool)
    for matrix in broken.values():
        excluded |= matrix

    households = household_points_table(v.experience)
    points = {
        "distance": by_resident(rows, lambda areas: context.area_points[np.ix_(areas, cols)]),
        "language": by_resident(r.languages, language_points),
        "time": by_resident(r.bands, lambda bands: capped(bands[:, None] & v.bands, "time_band", "time_cap")),
        "household": by_resident(r.household, lambda household: households[household]),
        "interests": by_resident(
            r.interests, lambda interests: capped(interests[:, None] & v.interests, "interest", "interest_cap")
        ),
        "hopes": by_resident(r.hopes, lambda wanted: HOPES.bits(wanted).astype(np.int16) @ v.hope_points.T),
    }
    total = np.zeros(shape, dtype=np.int32)
    for matrix in points.values():
        total += matrix
    return Scores(
        residents=r,
        volunteers=v,
        context=context,
        rows=rows,
        cols=cols,
        broken=broken,
        points=points,
        feasible=np.logical_not(excluded, out=excluded),
        total=total,
    )


def approved_volunteers() -> QuerySet[VolunteerProfile]:
    return VolunteerProfile.objects.approved()


def proposed_before(application_ids: Any) -> set[tuple[int, int]]:
    """(application, volunteer) pairs already tried: never propose the same partner twice."""
    return set(Match.objects.filter(application_id__in=application_ids).values_list("application_id", "volunteer_id"))


def score_applications(
    applications: QuerySet[Application],
    volunteers: QuerySet[VolunteerProfile] | None = None,
    context: Context | None = None,
) -> Scores:
    context = context or Context.load()
    residents = Residents.load(applications, context)
    volunteer_side = Volunteers.load(volunteers if volunteers is not None else approved_volunteers(), context)
    return score(residents, volunteer_side, context, proposed_before(applications.values("id")))


def areas_near(context: Context, area_id: int) -> list[int]:
    """Areas whose centre is within NEIGHBOUR_KM of this one's (the area itself included)."""
    distances = context.area_km[context.area_index[area_id]]
    return [pk for pk, i in context.area_index.items() if pk == area_id or distances[i] <= NEIGHBOUR_KM]
