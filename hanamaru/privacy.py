"""Hanamaru's part of JII's privacy notice, retention table and residents' data requests (jii/privacy.py)."""

import re

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hanamaru import services
from hanamaru.models import Absence, Attendance, Child, ConsentText, Enrolment, Session, TutorSignup
from jii import audit
from jii.privacy import ERASED, RecordKind, register_program, section


def current_consent_text() -> str:
    consent = ConsentText.objects.order_by("-version").first()
    return str(consent.text) if consent else ""


def children_who_left(cutoff):
    """Children no longer enrolled or waiting anywhere, whose last place ended before `cutoff`."""
    children = Child.objects.filter(anonymised_at=None).exclude(enrolments__status__in=Enrolment.ACTIVE)
    children = children.annotate(ended=Coalesce(Max("enrolments__withdrawn_at"), "created_at"))
    return children.filter(ended__lt=cutoff)


def anonymise_children(children) -> None:
    """Erase a child's name, school and needs. Kept for the figures: age, Japanese level, home languages, and
    their enrolments and attendance. The reasons given for absences go too (words about the child)."""
    Absence.objects.filter(child__in=children).update(reason="")
    audit.update(children, first_name=ERASED, family_name="", school="", needs="", anonymised_at=timezone.now())


def sessions_with_notes(cutoff):
    # A session's attendance note may name children: it goes with them.
    return Session.objects.filter(ends_at__lt=cutoff).exclude(attendance_note="")


def erase_notes(sessions) -> None:
    sessions.update(attendance_note="")


def collect(resident) -> list[dict]:
    sections = []
    children = resident.children.prefetch_related("home_languages", "enrolments__klass")
    attendance = Attendance.objects.filter(child__guardian=resident).select_related("session__klass", "child")
    for child in children:
        sections.append(
            section(
                _("Child"),
                child,
                [
                    "first_name",
                    "family_name",
                    "age",
                    "school",
                    "home_languages",
                    "japanese_level",
                    "needs",
                    "created_at",
                ],
            )  # fmt: skip
        )
        for enrolment in child.enrolments.all():
            entry = section(_("Place in a class"), enrolment, ["status", "consented_at", "enrolled_at", "withdrawn_at"])
            entry["rows"].insert(0, ("class", str(_("class")), str(enrolment.klass)))
            sections.append(entry)
    for record in attendance:
        sections.append(
            {
                "title": str(_("Attendance")),
                "rows": [
                    ("child", str(_("Child")), record.child.first_name),
                    ("session", str(_("session")), f"{record.session.klass} {record.session.starts_at:%Y-%m-%d}"),
                    *section("", record, ["present"])["rows"],
                ],
            }
        )
    for absence in Absence.objects.filter(child__guardian=resident).select_related("session__klass", "child"):
        sections.append(
            {
                "title": str(_("Absence reported")),
                "rows": [
                    ("child", str(_("Child")), absence.child.first_name),
                    ("session", str(_("session")), f"{absence.session.klass} {absence.session.starts_at:%Y-%m-%d}"),
                    *section("", absence, ["reason", "reported_at"])["rows"],
                ],
            }
        )
    return sections


def erase(resident) -> None:
    """Take the children off their classes (a freed place goes to the next child waiting), take their names out
    of their classes' attendance notes, then erase them."""
    for enrolment in Enrolment.objects.filter(child__guardian=resident, status__in=Enrolment.ACTIVE):
        services.withdraw(enrolment=enrolment)
    children = list(resident.children.filter(anonymised_at=None))
    classes = Enrolment.objects.filter(child__in=children).values("klass")
    for session in Session.objects.filter(klass__in=classes).exclude(attendance_note=""):
        note = session.attendance_note
        for name in {name for child in children for name in (child.first_name, child.family_name) if name}:
            note = re.sub(re.escape(name), ERASED, note, flags=re.IGNORECASE)
        if note != session.attendance_note:
            session.attendance_note = note
            session.save(update_fields=["attendance_note"])
    anonymise_children(resident.children.filter(anonymised_at=None))


def volunteer_collect(profile) -> list[dict]:
    """The sessions they signed up to tutor."""
    sections = []
    for signup in TutorSignup.objects.filter(volunteer=profile).select_related("session__klass"):
        entry = section(_("Tutoring"), signup, ["signed_up_at", "withdrawn_at", "attended"])
        entry["rows"].insert(
            0, ("session", str(_("session")), f"{signup.session.klass} {signup.session.starts_at:%Y-%m-%d}")
        )
        sections.append(entry)
    return sections


# The retention table's rows for this program (jii/privacy.py runs them).
RETENTION = [
    RecordKind("hanamaru.child", _("A child's details, once they have left every class"), 1,
               _("after their last class"), children_who_left, anonymise_children),
    RecordKind("hanamaru.session_note", _("A class session's attendance note"), 1, _("after the session"),
               sessions_with_notes, erase_notes),
]  # fmt: skip


def register() -> None:
    register_program(
        "hanamaru",
        _("Hanamaru class"),
        consent=current_consent_text,
        kinds=RETENTION,
        collect=collect,
        erase=erase,
        holding=lambda: Child.objects.filter(anonymised_at=None).values("guardian_id"),
        volunteer_collect=volunteer_collect,
    )
