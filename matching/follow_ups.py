"""What an OFP pair should have been sent by a given day: the monthly check-in reminders, the overdue reminder,
the resident's monthly check-in, the two surveys and the coordinators' notice before the end. Pure date rules, so
they are easy to test; the daily job (matching.services.queue_due_follow_ups) writes the messages, each once."""

from datetime import date, timedelta

from matching.models import PAIR_MONTHS, Match, add_months

OVERDUE_AFTER_DAYS = 7  # a month's check-in is overdue this many days into the next month
END_NOTICE_DAYS = 14
RESIDENT_CHECK_IN_AFTER_DAYS = 14  # the resident is asked halfway through each month, when the pair has likely met

CHECK_IN_REMINDER = "check_in_reminder"
CHECK_IN_OVERDUE = "check_in_overdue"
MIDPOINT_SURVEY = "midpoint_survey"
CLOSING_SURVEY = "closing_survey"
END_NOTICE = "end_notice"
RESIDENT_CHECK_IN = "resident_check_in"


def due_follow_ups(match: Match, today: date, checked_in_months: set) -> list[tuple[str, int]]:
    """As (kind, month): month is the check-in month for the reminders, 0 for the rest."""
    month = match.month_on(today)  # it goes on past the sixth month if the pair is extended
    # Each month's reminder goes out when the month begins (on the pair's start day of the month).
    due = [(CHECK_IN_REMINDER, month)]
    previous = month - 1
    overdue_from = add_months(match.starts_on, previous) + timedelta(days=OVERDUE_AFTER_DAYS)
    if previous >= 1 and previous not in checked_in_months and today >= overdue_from:
        due.append((CHECK_IN_OVERDUE, previous))
    if today >= add_months(match.starts_on, PAIR_MONTHS // 2):
        due.append((MIDPOINT_SURVEY, 0))
    if today >= match.ends_on:
        due.append((CLOSING_SURVEY, 0))
    if today >= match.ends_on - timedelta(days=END_NOTICE_DAYS):
        due.append((END_NOTICE, 0))
    if resident_check_in_open(match, today, month):
        due.append((RESIDENT_CHECK_IN, month))
    return due


def resident_check_in_open(match: Match, today: date, month: int) -> bool:
    """The resident's check-in of this month of the pair is asked for (and may be answered) from its 14th day."""
    return today >= add_months(match.starts_on, month - 1) + timedelta(days=RESIDENT_CHECK_IN_AFTER_DAYS)
