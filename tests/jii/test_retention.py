"""The retention table, enforced: each kind of record is anonymised once its period has passed, the figures
still add up, and `manage.py retention --dry-run` says exactly what the job then does."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations.figures import consultation_figures
from donations.progress import compute_progress
from hanamaru.figures import hanamaru_figures
from jii import privacy
from jii.figures import FIGURES
from jii.models import LineLink, Resident
from jii.tasks import apply_retention
from matching.figures import program_figures
from spot.figures import spot_figures
from tests.hanamaru.conftest import klass  # noqa: F401
from tests.jii.privacy_scenario import build, eight_years_on, personal_data_left

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def every_figure(records) -> list:
    start, end = (timezone.localdate() - timedelta(days=400), timezone.localdate() + timedelta(days=1))
    return [
        [(str(label), number) for _name, compute in FIGURES for label, number in compute()],
        program_figures(start, end),
        spot_figures(start, end),
        hanamaru_figures(start, end),
        consultation_figures(start, end),
        compute_progress(records["gift"].campaign),
    ]


def test_the_table_has_every_kind_the_privacy_page_promises():
    assert [kind.key for kind in privacy.table()] == [
        "people.volunteer", "ofp.never_paired", "ofp.closed_pair", "spot.finished", "hanamaru.child",
        "hanamaru.session_note", "consultations.closed", "donations.never_paid", "donations.gift",
        "donations.statement_line", "donations.donor", "people.resident",
    ]  # fmt: skip
    years = {kind.key: kind.years for kind in privacy.KINDS}
    assert years["donations.gift"] == 7  # the accounts (and the donor register's 5 years)
    assert years["consultations.closed"] == 3 and years["ofp.closed_pair"] == 1


def test_nothing_is_anonymised_before_its_period_ends(klass):  # noqa: F811
    build(klass)
    done = privacy.apply_retention(now=timezone.now() + timedelta(days=360))
    assert set(done.values()) == {0}
    assert Resident.objects.get().name == "Amina Rahimi"


def test_every_kind_past_its_period_keeps_no_personal_data_and_the_figures_do_not_change(klass, committed):  # noqa: F811
    records = build(klass)
    figures = every_figure(records)
    receipt_file = records["receipt"].file.name
    assert personal_data_left()  # the scenario's words are there to be found

    with committed(execute=True):  # the receipts' PDFs are deleted once the job commits
        done = privacy.apply_retention(now=eight_years_on())

    assert done == {
        "people.volunteer": 1, "ofp.never_paired": 1, "ofp.closed_pair": 1, "spot.finished": 1, "hanamaru.child": 1,
        "hanamaru.session_note": 1, "consultations.closed": 1, "donations.never_paid": 1, "donations.gift": 1,
        "donations.statement_line": 1, "donations.donor": 1, "people.resident": 1,
    }  # fmt: skip
    assert personal_data_left() == []
    assert every_figure(records) == figures
    resident = Resident.objects.get()
    assert resident.anonymised_at and resident.household_type == "refugee" and resident.municipality == "目黒区"
    assert resident.status_key != records["resident"].status_key  # every link sent so far is revoked
    assert not LineLink.objects.exists()
    receipt = records["receipt"]
    receipt.refresh_from_db()
    assert receipt.amount_yen == 5000 and receipt.number == "2026-0001" and not receipt.file
    assert not receipt.file.storage.exists(receipt_file)
    volunteer = records["volunteer"]
    volunteer.refresh_from_db()
    assert not volunteer.is_active and not volunteer.has_usable_password()
    # a second run finds nothing more
    assert set(privacy.apply_retention(now=eight_years_on()).values()) == {0}


def test_the_dry_run_prints_what_the_job_then_does_and_writes_nothing(klass, monkeypatch, committed):  # noqa: F811
    records = build(klass)
    later = eight_years_on()
    monkeypatch.setattr(timezone, "now", lambda: later)
    before = personal_data_left()
    out = io.StringIO()
    with committed(execute=True):
        call_command("retention", "--dry-run", stdout=out)
    printed = {line.split()[0]: int(line.split()[1]) for line in out.getvalue().splitlines()[1:]}
    assert personal_data_left() == before
    assert records["receipt"].file.storage.exists(records["receipt"].file.name)

    assert apply_retention.delay().get() == printed  # the daily job (Celery beat)
    assert sum(printed.values()) == 12 and personal_data_left() == []
