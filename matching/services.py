"""Every state change of OFP, one transaction each, with the messages it causes written to the outbox in it
(matching/messages.py builds them)."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from jii import audit, outbox, readiness
from jii.models import Area, Language, Message, PrivacyNotice, Resident, User, VolunteerProfile
from jii.services import find_or_create_resident
from matching import follow_ups
from matching.follow_ups import OVERDUE_AFTER_DAYS, due_follow_ups, resident_check_in_open
from matching.models import (
    PAIR_MONTHS,
    Application,
    CheckIn,
    Extension,
    IntakeRound,
    Match,
    ResidentCheckIn,
    RoundSuggestion,
    Survey,
    add_months,
)
from matching.ranking import plan_intake_round
from matching.scoring import Scores, score_applications, volunteer_bands
from matching.selectors import known_pair_with_people


class MatchingError(Exception):
    """A transition that the current state does not allow; the message (in the reader's language) is for the
    coordinator, and `reasons` lists the hard rules a refused proposal breaks."""

    def __init__(self, message: str, reasons: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []


@transaction.atomic
def submit_application(
    *, email: str, language: str, resident_details: dict[str, Any], languages: list[Language], **details: Any
) -> Application:
    """A resident's OFP application from the public form; they get a confirmation with their status link."""
    resident = find_or_create_resident(email=email, language=language, languages=languages, **resident_details)
    application = Application.objects.create(
        resident=resident, consented_at=timezone.now(), privacy_notice=PrivacyNotice.objects.current(), **details
    )
    application.languages.set(languages)
    outbox.queue("ofp_application_received", once=application.pk, to=resident, application=application.pk)
    return application


@transaction.atomic
def start_matching(*, application: Application) -> bool:
    """A coordinator has read a new application; it now waits for a partner."""
    received = Application.objects.filter(pk=application.pk, stage=Application.Stage.RECEIVED)
    updated = audit.update(received, stage=Application.Stage.MATCHING)
    return bool(updated)


@transaction.atomic
def withdraw_application(*, application: Application) -> bool:
    """The resident no longer wants a partner (or none could be found): close the application, cancelling
    an unanswered proposal. An application whose pair has started is closed with the pair instead."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.stage not in (Application.Stage.RECEIVED, Application.Stage.MATCHING, Application.Stage.PROPOSED):
        return False
    audit.update(
        application.matches.filter(status=Match.Status.PROPOSED),
        status=Match.Status.CANCELLED,
        declined_by=Match.Side.COORDINATOR,
        decline_reason=_("application withdrawn"),
    )
    application.stage = Application.Stage.WITHDRAWN
    application.save(update_fields=["stage"])
    return True


def pair_scores(
    application: Application, volunteer: VolunteerProfile
) -> tuple[float, list[dict[str, Any]], list[dict[str, Any]]]:
    scores = score_applications(
        Application.objects.filter(pk=application.pk), VolunteerProfile.objects.filter(pk=volunteer.pk)
    )
    return scores.total[0, 0], scores.breakdown(0, 0), scores.reasons(0, 0)


@transaction.atomic
def propose_match(
    *,
    application: Application,
    volunteer: VolunteerProfile,
    proposed_by: User | None,
    enforce_rules: set[str] | None = None,
    rematch_of: Match | None = None,
) -> Match:
    """Propose a volunteer to a waiting application; both sides are asked to accept.

    Every hard rule is checked again here, with the volunteer's row locked, so two coordinators (or an intake
    round and a coordinator) cannot give one volunteer more partners than allowed."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    volunteer = VolunteerProfile.objects.select_for_update().get(pk=volunteer.pk)
    if application.stage not in (Application.Stage.RECEIVED, Application.Stage.MATCHING):
        raise MatchingError(
            _("The application is “%(stage)s”, not waiting for a partner.") % {"stage": application.get_stage_display()}
        )
    if not volunteer.is_approved:
        raise MatchingError(_("The volunteer is not approved."))
    score, breakdown, reasons = pair_scores(application, volunteer)
    if enforce_rules is not None:  # a volunteer who may not help yet is never proposed
        reasons = [reason for reason in reasons if reason["code"] in {*enforce_rules, "not_ready"}]
    if reasons:
        raise MatchingError(_("The pair breaks a rule."), reasons)
    try:
        with transaction.atomic():
            match = Match.objects.create(
                application=application,
                volunteer=volunteer,
                score=int(score),
                breakdown=breakdown,
                proposed_by=proposed_by,
                rematch_of=rematch_of,
            )
    except IntegrityError as error:
        raise MatchingError(_("The application already has an open proposal.")) from error
    application.stage = Application.Stage.PROPOSED
    application.save(update_fields=["stage"])
    pair = known_pair_with_people(match.pk)
    if not match.resident_accepted_at:  # e.g. a Spot pair's own application: the resident has already said yes
        outbox.queue("ofp_proposal_resident", once=match.pk, to=pair.application.resident, match=match.pk)
    outbox.queue("ofp_proposal_volunteer", once=match.pk, to=pair.volunteer.user, match=match.pk)
    return match


def locked_proposal(match: Match) -> Match:
    if match.lead_id:  # the lead's row first, the order in which the lead's acceptance locks a team
        Match.objects.select_for_update().filter(pk=match.lead_id).first()
    match = Match.objects.select_for_update().select_related("application").get(pk=match.pk)
    if match.status != Match.Status.PROPOSED:
        raise MatchingError(
            _("The proposal is “%(status)s”, not waiting for an answer.") % {"status": match.get_status_display()}
        )
    return match


def decline(match: Match, *, side: str, reason: str) -> Match:
    match.status = Match.Status.DECLINED
    match.declined_by = side
    match.decline_reason = reason
    match.save(update_fields=["status", "declined_by", "decline_reason"])
    if not match.is_supporting:  # a supporter saying no leaves the pair as it is
        cancel_supporters(match, reason=pgettext("staff", "the pair was not formed"))
        audit.update(Application.objects.filter(pk=match.application_id), stage=Application.Stage.MATCHING)
    to_coordinators("ofp_declined_coordinator", once=match.pk, match=match.pk)
    return match


def to_coordinators(template: str, *, once: str | int, match: int) -> Message | None:
    return outbox.queue(
        template, once=once, to=settings.COORDINATOR_EMAIL, language=settings.LANGUAGE_CODE, match=match
    )


def accept(match: Match, *, side: str) -> Match:
    now = timezone.now()
    if side == Match.Side.RESIDENT:
        match.resident_accepted_at = match.resident_accepted_at or now
    else:
        match.volunteer_accepted_at = match.volunteer_accepted_at or now
    if match.is_supporting:
        # The lead's row is locked (locked_proposal): a supporter joins now if the pair runs, else when it starts.
        lead = Match.objects.get(pk=match.lead_id)
        if match.volunteer_accepted_at and lead.status == Match.Status.ACTIVE:
            join_team(match, lead)
        else:
            match.save()
        return match
    if match.resident_accepted_at and match.volunteer_accepted_at:
        match.status = Match.Status.ACTIVE
        match.starts_on = timezone.localdate()
        match.ends_on = add_months(match.starts_on, PAIR_MONTHS)
        audit.update(Application.objects.filter(pk=match.application_id), stage=Application.Stage.ACTIVE)
        pair = known_pair_with_people(match.pk)
        outbox.queue("ofp_pair_started_resident", once=match.pk, to=pair.application.resident, match=match.pk)
        outbox.queue("ofp_pair_started_volunteer", once=match.pk, to=pair.volunteer.user, match=match.pk)
        # Supporters who said yes before the pair started join it now.
        waiting = match.supporters.select_for_update().filter(
            status=Match.Status.PROPOSED, volunteer_accepted_at__isnull=False
        )
        for supporter in waiting:
            join_team(supporter, match)
    match.save()
    return match


def join_team(supporter: Match, lead: Match) -> None:
    """A supporting volunteer who said yes joins the running pair: same dates as the lead; the resident is told
    who joins (given name only), the volunteer gets the resident's contact details."""
    supporter.status = Match.Status.ACTIVE
    supporter.starts_on, supporter.ends_on = lead.starts_on, lead.ends_on
    supporter.save()
    pair = known_pair_with_people(supporter.pk)
    outbox.queue("ofp_team_joined_resident", once=supporter.pk, to=pair.application.resident, match=supporter.pk)
    outbox.queue("ofp_pair_started_volunteer", once=supporter.pk, to=pair.volunteer.user, match=supporter.pk)


def cancel_supporters(lead: Match, *, reason: str) -> int:
    """The lead's proposal is declined or taken back: its supporters' proposals go with it."""
    return audit.update(
        lead.supporters.filter(status=Match.Status.PROPOSED),
        status=Match.Status.CANCELLED,
        declined_by=Match.Side.COORDINATOR,
        decline_reason=reason,
    )


@transaction.atomic
def propose_supporter(*, lead: Match, volunteer: VolunteerProfile, proposed_by: User | None) -> Match:
    """Propose a supporting volunteer to a pair's team (settings.OFP_TEAM_SUPPORTERS at most). The resident
    agreed to the pair already, so only the volunteer accepts; every hard rule is checked as for the lead.

    The lead's row is locked, so two coordinators cannot both add the last place of a team."""
    lead = Match.objects.select_for_update().get(pk=lead.pk)
    application = Application.objects.select_for_update().get(pk=lead.application_id)
    volunteer = VolunteerProfile.objects.select_for_update().get(pk=volunteer.pk)
    if lead.is_supporting or not lead.is_open:
        raise MatchingError(pgettext("staff", "Supporters join a proposed or active pair, through its lead volunteer."))
    if lead.supporters.open().count() >= settings.OFP_TEAM_SUPPORTERS:
        full = pgettext("staff", "The team is full: at most %(count)d supporting volunteers.")
        raise MatchingError(full % {"count": settings.OFP_TEAM_SUPPORTERS})
    if not volunteer.is_approved:
        raise MatchingError(_("The volunteer is not approved."))
    score, breakdown, reasons = pair_scores(application, volunteer)
    if reasons:  # "proposed before" keeps out the team's own members and former partners
        raise MatchingError(_("The pair breaks a rule."), reasons)
    match = Match.objects.create(
        application=application,
        volunteer=volunteer,
        lead=lead,
        score=int(score),
        breakdown=breakdown,
        proposed_by=proposed_by,
        resident_accepted_at=timezone.now(),
    )
    outbox.queue("ofp_supporter_proposed_volunteer", once=match.pk, to=volunteer.user, match=match.pk)
    return match


def rematch_refusal(ended: Match, application: Application) -> str:
    """Why this ended pair may not be rematched now, or "" if it may."""
    if not ended.may_be_rematched:
        return pgettext("staff", "Only a pair that ended early for the volunteer's reason can be rematched.")
    # Declined or cancelled rematch proposals may come between; a newer pair or open proposal may not.
    newer = application.matches.filter(lead__isnull=True, proposed_at__gt=ended.proposed_at).exclude(
        status__in=[Match.Status.DECLINED, Match.Status.CANCELLED]
    )
    if application.stage not in (Application.Stage.ENDED_EARLY, Application.Stage.MATCHING) or newer.exists():
        return pgettext("staff", "The application has a newer pair or proposal.")
    return ""


@transaction.atomic
def propose_rematch(*, ended: Match, volunteer: VolunteerProfile, proposed_by: User | None) -> Match:
    """After a pair that ended early for the volunteer's reason (moved, stopped), propose a new volunteer to the
    same application, without a new form. The application is proposed again; both pairs stay in its history."""
    application = Application.objects.select_for_update().get(pk=ended.application_id)
    refusal = rematch_refusal(Match.objects.get(pk=ended.pk), application)
    if refusal:
        raise MatchingError(refusal)
    if application.stage != Application.Stage.MATCHING:
        application.stage = Application.Stage.MATCHING
        application.save(update_fields=["stage"])
    return propose_match(application=application, volunteer=volunteer, proposed_by=proposed_by, rematch_of=ended)


@transaction.atomic
def respond_as_resident(*, match: Match, resident: Resident, accepted: bool, reason: str = "") -> Match:
    match = locked_proposal(match)
    if match.application.resident_id != resident.pk:
        raise PermissionDenied("this proposal is for another resident")
    return accept(match, side=Match.Side.RESIDENT) if accepted else decline(match, side="resident", reason=reason)


@transaction.atomic
def respond_as_volunteer(*, match: Match, volunteer: VolunteerProfile, accepted: bool, reason: str = "") -> Match:
    match = locked_proposal(match)
    if match.volunteer_id != volunteer.pk:
        raise PermissionDenied("this proposal is for another volunteer")
    if not accepted:
        return decline(match, side="volunteer", reason=reason)
    readiness.check_ready(volunteer)  # e.g. proposed in March, answered in April without the new year's insurance
    return accept(match, side=Match.Side.VOLUNTEER)


@transaction.atomic
def cancel_proposal(*, match: Match, reason: str) -> Match:
    """A coordinator takes back a proposal (e.g. no answer for weeks); the application waits again."""
    match = locked_proposal(match)
    match.status = Match.Status.CANCELLED
    match.declined_by = Match.Side.COORDINATOR
    match.decline_reason = reason
    match.save(update_fields=["status", "declined_by", "decline_reason"])
    if not match.is_supporting:
        cancel_supporters(match, reason=reason)
        audit.update(Application.objects.filter(pk=match.application_id), stage=Application.Stage.MATCHING)
    return match


SUSPENDED_REASON = pgettext_lazy("staff", "The volunteer is suspended.")


@transaction.atomic
def release_volunteer(profile: VolunteerProfile, *, leaving: str = "") -> None:
    """The volunteer was suspended or left JII (jii.readiness.register_release): a proposal they have not
    answered is taken back. A pair of one who left ends with their reason, so the coordinator may rematch it;
    a suspended volunteer's pair is flagged for a coordinator, who decides with the resident."""
    for match in Match.objects.filter(volunteer=profile, status=Match.Status.PROPOSED):
        cancel_proposal(match=match, reason=str(_("The volunteer has left JII.") if leaving else SUSPENDED_REASON))
    active = Match.objects.filter(volunteer=profile, status=Match.Status.ACTIVE)
    if not leaving:
        audit.update(active, needs_attention=True)
        return
    reason = Match.EndReason.VOLUNTEER_MOVED if leaving == "moved" else Match.EndReason.VOLUNTEER_STOPPED
    for match in active:
        close_pair(match=match, reason=reason)


def locked_active_pair(match: Match) -> Match:
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.ACTIVE:
        raise MatchingError(_("The pair is “%(status)s”, not active.") % {"status": match.get_status_display()})
    return match


def check_in_month(match: Match, today: date) -> int:
    """The month a check-in logged today reports on: the current one, or during the first week of a month
    the previous one if that still has none (the same grace the overdue reminder gives)."""
    month = match.month_on(today)
    in_grace = month > 1 and today < add_months(match.starts_on, month - 1) + timedelta(days=OVERDUE_AFTER_DAYS)
    if in_grace and not match.check_ins.filter(month=month - 1).exists():
        return month - 1
    return month


@transaction.atomic
def log_check_in(
    *,
    match: Match,
    volunteer: VolunteerProfile,
    met: bool,
    how: str,
    mood: str,
    note: str = "",
    concern: str = "",
    minutes_spent: int | None = None,
) -> CheckIn:
    """The volunteer's monthly check-in, with the time they spent (their hours); a concern flags the pair for a
    coordinator."""
    match = locked_active_pair(match)
    if match.volunteer_id != volunteer.pk:
        raise PermissionDenied("this is another volunteer's pair")
    check_in = CheckIn.objects.create(
        match=match,
        month=check_in_month(match, timezone.localdate()),
        met=met,
        how=how if met else "",
        mood=mood,
        note=note,
        concern=concern.strip(),
        minutes_spent=minutes_spent,
    )
    if check_in.concern:
        match.needs_attention = True
        match.save(update_fields=["needs_attention"])
        to_coordinators("ofp_concern_coordinator", once=check_in.pk, match=match.pk)
    return check_in


@transaction.atomic
def answer_survey(*, match: Match, respondent: str, kind: str, satisfaction: int, comment: str = "") -> Survey:
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status not in (Match.Status.ACTIVE, Match.Status.COMPLETED, Match.Status.ENDED_EARLY):
        raise MatchingError(_("Only a pair that has started can be surveyed."))
    if kind not in match.open_surveys(timezone.localdate()):
        raise MatchingError(_("This survey has not been sent yet."))
    if Survey.objects.filter(match=match, kind=kind, respondent=respondent).exists():
        raise MatchingError(_("This survey is already answered."))
    return Survey.objects.create(
        match=match, kind=kind, respondent=respondent, satisfaction=satisfaction, comment=comment
    )


@transaction.atomic
def close_pair(*, match: Match, reason: str, note: str = "") -> Match:
    """Close an active pair: completed after six months, or ended early with a reason. Its team closes with it;
    a supporting volunteer who stops early leaves the pair alone."""
    match = locked_active_pair(match)
    completed = reason == Match.EndReason.COMPLETED
    match.status = Match.Status.COMPLETED if completed else Match.Status.ENDED_EARLY
    match.end_reason = reason
    match.end_note = note
    match.closed_at = timezone.now()
    match.needs_attention = False
    match.save(update_fields=["status", "end_reason", "end_note", "closed_at", "needs_attention"])
    if match.is_supporting:
        return match
    # The team ends with the pair, however the lead's side ended (a supporter's own reason is not the team's).
    audit.update(
        match.supporters.filter(status=Match.Status.ACTIVE),
        status=match.status,
        end_reason=Match.EndReason.COMPLETED if completed else Match.EndReason.OTHER,
        closed_at=match.closed_at,
        needs_attention=False,
    )
    cancel_supporters(match, reason=pgettext("staff", "the pair has ended"))
    stage = Application.Stage.COMPLETED if completed else Application.Stage.ENDED_EARLY
    audit.update(Application.objects.filter(pk=match.application_id), stage=stage)
    # Both sides are asked about their pair however it ended (once: the daily job writes the same message).
    queue_follow_up(known_pair_with_people(match.pk), follow_ups.CLOSING_SURVEY, 0)
    return match


@transaction.atomic
def mark_concern_handled(*, match: Match) -> None:
    audit.update(Match.objects.filter(pk=match.pk), needs_attention=False)


@transaction.atomic
def answer_resident_check_in(*, match: Match, resident: Resident, feeling: str, need: str = "") -> ResidentCheckIn:
    """The resident's monthly check-in, from the status page; a worried answer flags the pair for a coordinator.

    Once a month: a second answer is refused rather than replacing the first, as a coordinator may already have
    read and acted on it (a worried answer flagged the pair); what they acted on stays as it was."""
    match = locked_active_pair(match)
    if match.application.resident_id != resident.pk or match.is_supporting:
        raise PermissionDenied("this is another resident's pair, or a supporter's part of one")
    today = timezone.localdate()
    month = match.month_on(today)
    if not resident_check_in_open(match, today, month):
        raise MatchingError(_("This month's check-in is not open yet."))
    if match.resident_check_ins.filter(month=month).exists():
        raise MatchingError(_("You have already answered this month's check-in."))
    check_in = ResidentCheckIn.objects.create(match=match, month=month, feeling=feeling, need=need.strip())
    if feeling == ResidentCheckIn.Feeling.WORRIED:
        match.needs_attention = True
        match.save(update_fields=["needs_attention"])
        to_coordinators("ofp_resident_worried_coordinator", once=check_in.pk, match=match.pk)
    return check_in


@transaction.atomic
def ask_for_extension(*, match: Match, by: Resident | VolunteerProfile) -> Extension:
    """The resident or the volunteer asks to go on after the six months; a coordinator decides. One open
    request per pair (the pair's row is locked, and the database refuses a second open one)."""
    match = locked_active_pair(match)
    if isinstance(by, Resident):
        side, allowed = Match.Side.RESIDENT, match.application.resident_id == by.pk
    else:
        side, allowed = Match.Side.VOLUNTEER, match.volunteer_id == by.pk
    if not allowed or match.is_supporting:  # a team continues as one: its lead or the resident asks
        raise PermissionDenied("this is another person's pair, or a supporter's part of one")
    if match.extensions.filter(status=Extension.Status.OPEN).exists():
        raise MatchingError(_("Continuing is already asked for. A coordinator will answer soon."))
    extension = Extension.objects.create(match=match, asked_by=side)
    to_coordinators("ofp_extension_asked_coordinator", once=extension.pk, match=match.pk)
    return extension


@transaction.atomic
def decide_extension(
    *, extension: Extension, approved: bool, by: User | None, new_ends_on: date | None = None
) -> Extension:
    """A coordinator approves a new end date, later than the current one, or declines; both sides are told.
    The pair's row is locked before the request's, as ask_for_extension does, so the two never wait on each other."""
    match = Match.objects.select_for_update().get(pk=extension.match_id)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.OPEN:
        raise MatchingError(pgettext("staff", "This request is already decided."))
    if approved:
        if match.status != Match.Status.ACTIVE:
            raise MatchingError(_("The pair is “%(status)s”, not active.") % {"status": match.get_status_display()})
        if new_ends_on is None or new_ends_on <= match.ends_on:
            raise MatchingError(pgettext("staff", "The new end date must be later than the current one."))
        # The team's supporters run with the pair until its new end.
        audit.update(
            Match.objects.filter(Q(pk=match.pk) | Q(lead=match, status=Match.Status.ACTIVE)), ends_on=new_ends_on
        )
    extension.status = Extension.Status.APPROVED if approved else Extension.Status.DECLINED
    extension.new_ends_on = new_ends_on if approved else None
    extension.decided_by, extension.decided_at = by, timezone.now()
    extension.save(update_fields=["status", "new_ends_on", "decided_by", "decided_at"])
    pair = known_pair_with_people(match.pk)
    resident, volunteer = pair.application.resident, pair.volunteer.user
    once = extension.pk
    outbox.queue("ofp_extension_decided_resident", once=once, to=resident, match=match.pk, extension=extension.pk)
    outbox.queue("ofp_extension_decided_volunteer", once=once, to=volunteer, match=match.pk, extension=extension.pk)
    return extension


@transaction.atomic
def run_intake_round(*, by: User | None) -> IntakeRound:
    """Compute the best overall assignment now and keep it as suggestions for the coordinator."""
    plan = plan_intake_round()
    scores, assignment = plan.scores, plan.assignment
    intake = IntakeRound.objects.create(created_by=by, total_score=assignment.total)
    suggestions, explanations = [], {}
    for row, column in assignment.pairs:
        j = int(plan.columns[column])
        application_id = int(scores.residents.ids[row])
        volunteer_id = int(scores.volunteers.ids[j])
        suggestions.append(
            RoundSuggestion(
                round=intake, application_id=application_id, volunteer_id=volunteer_id, score=int(scores.total[row, j])
            )
        )
        explanations[str(application_id)] = {"breakdown": scores.breakdown(row, j)}
    # Someone with a possible partner who still got none lost out to a better overall assignment.
    has_possible_partner = scores.feasible.any(axis=1)
    for row, application_id in enumerate(scores.residents.ids.tolist()):
        if str(application_id) in explanations:
            continue
        reasons = [{"code": "taken"}] if has_possible_partner[row] else blocking_rules(scores, row)
        suggestions.append(
            RoundSuggestion(round=intake, application_id=application_id, status=RoundSuggestion.Status.NO_PARTNER)
        )
        explanations[str(application_id)] = {"reasons": reasons}
    RoundSuggestion.objects.bulk_create(suggestions)
    intake.explanations = explanations
    intake.save(update_fields=["explanations"])
    return intake


def blocking_rules(scores: Scores, row: int) -> list[dict[str, Any]]:
    """Why nobody fits: how many volunteers each rule rules out, counting only those living near enough."""
    near = ~scores.broken["far"][row]
    if not near.any():
        return [{"code": "nobody_near"}]
    return [
        {"code": rule, "count": int((scores.broken[rule][row] & near).sum())}
        for rule in ("not_ready", "full", "language", "gender", "time", "proposed_before")
        if (scores.broken[rule][row] & near).any()
    ]


def propose_suggestions(*, suggestions: QuerySet[RoundSuggestion], by: User | None) -> tuple[int, int]:
    """Propose the chosen suggestions one by one; one that is no longer possible is marked stale.
    Returns (proposed, stale)."""
    proposed = stale = 0
    for pk in suggestions.filter(status=RoundSuggestion.Status.SUGGESTED).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and checked again: two coordinators pressing "propose all" at once propose each pair once.
            suggestion = (
                RoundSuggestion.objects.select_for_update(of=("self",))
                .select_related("application", "volunteer")
                .filter(pk=pk, status=RoundSuggestion.Status.SUGGESTED)
                .first()
            )
            if suggestion is None:
                continue
            try:
                propose_match(application=suggestion.application, volunteer=suggestion.volunteer, proposed_by=by)
            except MatchingError:
                suggestion.status = RoundSuggestion.Status.STALE
                stale += 1
            else:
                suggestion.status = RoundSuggestion.Status.PROPOSED
                proposed += 1
            suggestion.save(update_fields=["status"])
    return proposed, stale


@transaction.atomic
def apply_from_spot(
    *,
    resident: Resident,
    volunteer: VolunteerProfile,
    area: Area,
    languages: list[Language],
    consented_at: datetime,
    household_type: str | None = None,
    nearest_station: str = "",
    japanese_level: str = "basic",
    availability: list[str] | None = None,
    hopes: Sequence[str] = ("friendship",),
    interests: Sequence[str] = (),
    gender_preference: str = "any",
) -> Match:
    """A good Spot pair asks to become an OFP pair: the resident's application is created already proposed
    to the volunteer they know, with the resident's acceptance recorded; the volunteer accepts as usual.

    They chose each other, so of the hard rules only the volunteer's free place is checked. What the Spot
    request does not know takes a plain default: the resident record's household, the volunteer's free times.
    `consented_at` is when the resident agreed to OFP's purpose-of-use text."""
    application = Application.objects.create(
        resident=resident,
        stage=Application.Stage.MATCHING,
        household_type=household_type or resident.household_type,
        japanese_level=japanese_level,
        area=area,
        nearest_station=nearest_station or str(area),
        availability=list(availability) if availability is not None else volunteer_bands(volunteer.availability),
        hopes=list(hopes),
        interests=list(interests),
        gender_preference=gender_preference,
        consented_at=consented_at,
        privacy_notice=PrivacyNotice.objects.current(),
        message="Spot Otonari-san",
    )
    application.languages.set(languages)
    match = propose_match(application=application, volunteer=volunteer, proposed_by=None, enforce_rules={"full"})
    match.resident_accepted_at = timezone.now()
    match.save(update_fields=["resident_accepted_at"])
    return match


def queue_follow_up(match: Match, kind: str, month: int) -> bool:
    """Write one follow-up's messages; False if they were written before."""
    resident, volunteer = match.application.resident, match.volunteer.user
    if kind in (follow_ups.CHECK_IN_REMINDER, follow_ups.CHECK_IN_OVERDUE):
        written = outbox.queue(f"ofp_{kind}", once=f"{match.pk}:{month}", to=volunteer, match=match.pk, month=month)
    elif kind in (follow_ups.MIDPOINT_SURVEY, follow_ups.CLOSING_SURVEY):
        survey = Survey.Kind.MIDPOINT if kind == follow_ups.MIDPOINT_SURVEY else Survey.Kind.CLOSING
        once, survey_name = f"{match.pk}:{survey}", str(survey)
        written = outbox.queue("ofp_survey_resident", once=once, to=resident, match=match.pk, survey=survey_name)
        written = (
            outbox.queue("ofp_survey_volunteer", once=once, to=volunteer, match=match.pk, survey=survey_name) or written
        )
    elif kind == follow_ups.RESIDENT_CHECK_IN:
        written = outbox.queue(
            "ofp_resident_check_in", once=f"{match.pk}:{month}", to=resident, match=match.pk, month=month
        )
    else:
        # An extended pair's new end is noticed again (the first six months' notice keeps its old key).
        extended = match.ends_on != add_months(match.starts_on, PAIR_MONTHS)
        once = f"{match.pk}:{match.ends_on}" if extended else str(match.pk)
        written = to_coordinators("ofp_end_notice_coordinator", once=once, match=match.pk)
    return written is not None


@transaction.atomic
def queue_due_follow_ups(today: date) -> int:
    """The daily job: every running pair's check-in reminders, overdue reminders, the resident's monthly check-in,
    surveys and the coordinators' notice two weeks before the end. Each is written once however often this runs;
    returns how many are new."""
    active = Match.objects.filter(status=Match.Status.ACTIVE).select_related("application__resident", "volunteer__user")
    queued = 0
    for match in active.prefetch_related("check_ins"):
        checked_in = {check_in.month for check_in in match.check_ins.all()}
        for kind, month in due_follow_ups(match, today, checked_in):
            if match.is_supporting and kind not in (follow_ups.CHECK_IN_REMINDER, follow_ups.CHECK_IN_OVERDUE):
                continue  # a team is surveyed, and its end announced, once: on the lead's match
            queued += queue_follow_up(match, kind, month)
    return queued
