"""What an OFP pair should have been sent by a given day: the monthly check-in reminders, the overdue reminder,
the two surveys and the coordinators' notice before the end. Pure date rules, so they are easy to test; the
daily job (matching.services.queue_due_follow_ups) writes the messages, each once."""

from datetime import date, timedelta

from matching.models import PAIR_MONTHS, Match, add_months

OVERDUE_AFTER_DAYS = 7  # a month's check-in is overdue this many days into the next month
END_NOTICE_DAYS = 14

CHECK_IN_REMINDER = "check_in_reminder"
CHECK_IN_OVERDUE = "check_in_overdue"
MIDPOINT_SURVEY = "midpoint_survey"
CLOSING_SURVEY = "closing_survey"
END_NOTICE = "end_notice"


def due_follow_ups(match: Match, today: date, checked_in_months: set) -> list[tuple[str, int]]:
    """As (kind, month): month is the check-in month for the reminders, 0 for the rest."""
    month = match.month_on(today)
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
    return due
