"""A case closes only with its outcome recorded, whoever closes it (the desk, the service, an erasure); staff's
outcome edits on the desk go through the service, audited as the service's are."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone, translation

from consultations import privacy, services
from consultations.models import Consultation
from jii.models import Language
from tests.consultations.conftest import submit
from tests.factories import CoordinatorFactory
from tests.jii.test_audit import change_in_admin

pytestmark = pytest.mark.django_db


def updates_of(case):
    return LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).order_by("pk")


def test_the_service_refuses_to_close_a_case_without_an_outcome(case):
    with translation.override("en"), pytest.raises(services.ConsultationError, match="record its outcome first"):
        services.close(consultation=case)
    with translation.override("en"), pytest.raises(services.ConsultationError, match="record its outcome first"):
        services.record_outcome(consultation=case, outcome="", summary="", close=True)
    case.refresh_from_db()
    assert case.status == Consultation.Status.NEW and case.closed_at is None

    services.record_outcome(consultation=case, outcome="referred", summary="To the labour office.", close=False)
    closed = services.close(consultation=case)
    assert closed.status == Consultation.Status.CLOSED and closed.closed_at and closed.outcome == "referred"


def test_the_desk_shows_the_services_refusal_and_closes_the_cases_with_an_outcome(client, case):
    with_outcome = submit(resident_email="ana@example.com")
    services.record_outcome(consultation=with_outcome, outcome="resolved", summary="", close=False)
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    response = client.post(
        "/en/admin/consultations/consultation/",
        {"action": "close_selected", "_selected_action": [case.pk, with_outcome.pk]},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert f"Consultation #{case.pk}: record its outcome first." in shown and "1 closed." in shown
    case.refresh_from_db(), with_outcome.refresh_from_db()
    assert case.status == Consultation.Status.NEW and with_outcome.status == Consultation.Status.CLOSED


def test_an_erased_residents_open_case_closes_as_withdrawn_and_a_recorded_outcome_stays(case):
    decided = submit(resident_email="ana@example.com")
    services.record_outcome(consultation=decided, outcome="partly", summary="", close=False)
    privacy.erase(case.resident)
    privacy.erase(decided.resident)
    case.refresh_from_db(), decided.refresh_from_db()
    assert (case.status, case.outcome) == (Consultation.Status.CLOSED, Consultation.Outcome.WITHDRAWN)
    assert (decided.status, decided.outcome) == (Consultation.Status.CLOSED, "partly")


def test_an_outcome_edited_on_the_desk_is_audited_as_the_service_records_it(client, case):
    follow_up_on = timezone.localdate() + timedelta(days=30)
    twin = submit(resident_email="ana@example.com")
    staff = CoordinatorFactory(groups=["consultation staff"])
    before = updates_of(twin).count()
    services.record_outcome(consultation=twin, outcome="partly", summary="Advised.", follow_up_on=follow_up_on,
                            close=False)  # fmt: skip
    by_service = updates_of(twin)[before:].get()
    client.force_login(staff)
    before = updates_of(case).count()
    change_in_admin(client, case, outcome="partly", outcome_summary="Advised.", follow_up_on=follow_up_on)
    on_desk = updates_of(case)[before:].get()

    assert on_desk.changes == by_service.changes
    assert set(on_desk.changes) == {"outcome", "outcome_summary", "follow_up_on"}
    assert on_desk.actor == staff
    case.refresh_from_db()
    assert (case.outcome, case.outcome_summary, case.follow_up_on) == ("partly", "Advised.", follow_up_on)
    assert case.status == Consultation.Status.NEW  # recording an outcome does not close the case


def test_the_interpreting_language_set_on_the_desk_is_saved_alone(client, case):
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    vietnamese = Language.objects.get(code="vi")
    before = updates_of(case).count()
    change_in_admin(client, case, interpreter_language=vietnamese.pk)
    case.refresh_from_db()
    assert case.interpreter_language == vietnamese and case.outcome == ""
    entry = updates_of(case)[before:].get()
    assert set(entry.changes) == {"interpreter_language"}
