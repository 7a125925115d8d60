"""Reads over the scores: one application's ranked candidates, and an intake round's best assignment."""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.models import Application
from matching.scoring import Context, Scores, approved_volunteers, areas_near, score_applications


@dataclass
class Candidate:
    volunteer_id: int
    score: int
    breakdown: list


@dataclass
class Excluded:
    volunteer_id: int
    reasons: list


@dataclass
class Ranking:
    candidates: list[Candidate]
    excluded: list[Excluded]  # approved volunteers living near enough but ruled out, with why
    far_away: int  # approved volunteers who live too far away (whatever else)


def rank_candidates(application: Application, limit: int = 20) -> Ranking:
    # Only volunteers in areas near enough are scored (the distance rule works on areas); the rest are counted.
    context = Context.load()
    near = areas_near(context, application.area_id)
    volunteers = approved_volunteers()
    scores = score_applications(
        Application.objects.filter(pk=application.pk), volunteers.filter(area_id__in=near), context
    )
    feasible, total = scores.feasible[0], scores.total[0]
    order = [j for j in np.argsort(-total, kind="stable").tolist() if feasible[j]][:limit]
    candidates = [Candidate(int(scores.volunteers.ids[j]), int(total[j]), scores.breakdown(0, j)) for j in order]
    ruled_out = np.flatnonzero(~feasible).tolist()
    excluded = [Excluded(int(scores.volunteers.ids[j]), scores.reasons(0, j)) for j in ruled_out]
    far_away = volunteers.exclude(area_id__in=near).count()
    return Ranking(candidates=candidates, excluded=excluded, far_away=far_away)


@dataclass
class Assignment:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (row, column) of the score matrix
    total: int = 0


def best_assignment(score: np.ndarray, feasible: np.ndarray) -> Assignment:
    """The largest total score over pairs that break no hard rule, each row and column used at most once.

    An infeasible pair is worth nothing, so the solver may "assign" it and we drop it: that is the same as
    leaving both unmatched. Feasible pairs are worth score × K + 1 with K above the number of possible pairs,
    so the total score decides and, only between equal totals, more pairs win."""
    if score.size == 0:
        return Assignment()
    # The solver works in float64 anyway: build the weights in it directly (exact for these integers), in one
    # copy worked on in place. Infeasible pairs are multiplied by False: a boolean-mask assignment is ten times
    # slower over millions of unpredictable pairs.
    weight = np.multiply(score, float(min(score.shape) + 1), dtype=np.float64)
    weight += 1.0
    weight *= feasible
    rows, cols = linear_sum_assignment(weight, maximize=True)
    kept = feasible[rows, cols]
    rows, cols = rows[kept], cols[kept]
    return Assignment(pairs=list(zip(rows.tolist(), cols.tolist(), strict=True)), total=int(score[rows, cols].sum()))


@dataclass
class RoundResult:
    scores: Scores
    assignment: Assignment
    columns: np.ndarray  # for each column of the solver's matrix, the volunteer's index in scores


def plan_intake_round() -> RoundResult:
    """Every waiting application against every volunteer with a free place; a volunteer with k free places
    appears k times, so the optimiser can give them k partners."""
    waiting = Application.objects.waiting().exclude(matches__status__in=["proposed", "active"])
    scores = score_applications(waiting, approved_volunteers())
    places = np.maximum(scores.volunteers.free_places, 0)
    columns = np.repeat(np.arange(len(places)), places)
    if len(columns) == len(places):  # one place each (the usual case): no need to copy the matrices
        assignment = best_assignment(scores.total, scores.feasible)
    else:
        assignment = best_assignment(scores.total[:, columns], scores.feasible[:, columns])
    return RoundResult(scores=scores, assignment=assignment, columns=columns)
