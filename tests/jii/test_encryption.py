"""The most sensitive free text is encrypted at rest: its stored column holds no plain words, the site reads them
back, and a new key takes over with `manage.py reencrypt` (README, "Encryption at rest: keys and rotation")."""

from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from consultations import services as consultations
from consultations.models import AppointmentChange, CaseNote, Consultation
from hanamaru import services as hanamaru
from hanamaru.models import Absence, Child, Class, Session
from jii.fields import EncryptedTextField
from jii.models import Area
from matching.models import CheckIn, Match, ResidentCheckIn
from matching.services import (
    answer_resident_check_in,
    log_check_in,
    propose_match,
    respond_as_resident,
    respond_as_volunteer,
)
from spot.models import SpotRequest
from tests.consultations.conftest import make_expert, submit
from tests.factories import ApplicationFactory, ResidentFactory, SpotRequestFactory, UserFactory, approved_volunteer
from tests.hanamaru.conftest import child, enrol

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(model, pk, name) -> str:
    """The column as the database holds it, past the model."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model._meta.get_field(name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (names from the model)
        return cursor.fetchone()[0]


@pytest.fixture
def texts(settings, coordinator, django_capture_on_commit_callbacks):
    """A record of each encrypted field, made the way the site makes them, under key A: (model, pk, field, words)."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    case = submit(description="My visa expires in six weeks and I changed jobs.")
    consultations.record_outcome(
        consultation=case, outcome="resolved", summary="Visa renewed at the Shinagawa bureau", close=True
    )
    note = consultations.add_note(consultation=case, author=coordinator, text="Called the immigration office.")
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=5)
    appointment = consultations.book_appointment(
        consultation=submit(resident_email="ana@example.com"), expert=make_expert(), mode="phone",
        starts_at=starts_at.replace(hour=1), ends_at=starts_at.replace(hour=2),  # 10:00–11:00 in Tokyo
    )  # fmt: skip
    consultations.ask_for_another_time(appointment=appointment, note="Not Tuesdays: my shift at the plant")
    change = appointment.changes.get()
    klass = Class.objects.create(
        name={"ja": "はなまる"}, venue={"ja": "活動室"}, address={"ja": "目黒区"},
        area=Area.objects.get(code="tokyo-meguro"), level="first_steps", age_band="lower_primary", capacity=2,
        tutors_needed=1,
    )  # fmt: skip
    [enrolment] = enrol(klass, child(needs="卵アレルギー、喘息の吸入薬を持っています"))
    absence = hanamaru.report_absence(
        enrolment=enrolment,
        session=Session.objects.create(klass=klass, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)),
        reason="Dentist appointment after school",
    )
    spot = SpotRequestFactory(description="My son has a fever at night. Which clinic can see him?")
    with django_capture_on_commit_callbacks(execute=True):
        match = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=coordinator)
        respond_as_resident(match=match, resident=match.application.resident, accepted=True)
        match = respond_as_volunteer(match=match, volunteer=match.volunteer, accepted=True)
        check_in = log_check_in(
            match=match, volunteer=match.volunteer, met=True, how="phone", mood="difficult",
            concern="Her landlord wants her out by Friday",
        )  # fmt: skip
        Match.objects.filter(pk=match.pk).update(starts_on=timezone.localdate() - timedelta(days=20))
        resident_check_in = answer_resident_check_in(
            match=match, resident=match.application.resident, feeling="worried", need="A letter from the city office"
        )
    return [
        (Consultation, case.pk, "description", "My visa expires in six weeks and I changed jobs."),
        (Consultation, case.pk, "outcome_summary", "Visa renewed at the Shinagawa bureau"),
        (CaseNote, note.pk, "text", "Called the immigration office."),
        (Child, enrolment.child_id, "needs", "卵アレルギー、喘息の吸入薬を持っています"),
        (SpotRequest, spot.pk, "description", "My son has a fever at night. Which clinic can see him?"),
        (CheckIn, check_in.pk, "concern", "Her landlord wants her out by Friday"),
        (AppointmentChange, change.pk, "note", "Not Tuesdays: my shift at the plant"),
        (Absence, absence.pk, "reason", "Dentist appointment after school"),
        (ResidentCheckIn, resident_check_in.pk, "need", "A letter from the city office"),
    ]


def read_back(texts):
    return [getattr(model.objects.get(pk=pk), name) for model, pk, name, _ in texts]


def test_every_encrypted_field_is_tested_here(texts):
    encrypted = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    assert encrypted == {(model, name) for model, _, name, _ in texts}


def test_the_database_holds_no_plain_text_and_the_site_reads_it_back(texts):
    for model, pk, name, words in texts:
        raw = stored(model, pk, name)
        assert words not in raw and not any(word in raw for word in words.split() if len(word) >= 6)
        assert Fernet(KEY_A).decrypt(raw.encode()).decode() == words  # encrypted, and with the newest key
    assert read_back(texts) == [words for *_, words in texts]


def test_empty_texts_stay_empty_strings(settings, coordinator):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    case = submit()
    assert stored(Consultation, case.pk, "outcome_summary") == ""  # not NULL: the column refuses it
    assert Consultation.objects.get(pk=case.pk).outcome_summary == ""
    assert Consultation.objects.filter(pk=case.pk, outcome_summary="").exists()  # only emptiness can be looked up


def test_bulk_create_and_update_encrypt_too(settings, coordinator):
    # The benches make cases and notes in bulk; updates in bulk are how `reencrypt` writes.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    case = submit()
    [note] = CaseNote.objects.bulk_create([CaseNote(consultation=case, author=coordinator, text="A bulk note")])
    assert "bulk" not in stored(CaseNote, note.pk, "text")
    Consultation.objects.filter(pk=case.pk).update(outcome_summary="Updated in bulk")
    assert "bulk" not in stored(Consultation, case.pk, "outcome_summary")
    assert Consultation.objects.get(pk=case.pk).outcome_summary == "Updated in bulk"


def test_a_new_key_takes_over_with_reencrypt_and_the_old_one_can_go(settings, texts):
    words = [words for *_, words in texts]
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # the new key first: new texts use it, old ones still open
    assert read_back(texts) == words

    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert out.getvalue().splitlines() == [
        "matching.CheckIn: 1 re-encrypted",
        "matching.ResidentCheckIn: 1 re-encrypted",
        "spot.SpotRequest: 1 re-encrypted",
        "hanamaru.Child: 1 re-encrypted",
        "hanamaru.Absence: 1 re-encrypted",
        "consultations.Consultation: 2 re-encrypted",  # the second case holds the appointment changed
        "consultations.CaseNote: 1 re-encrypted",
        "consultations.AppointmentChange: 1 re-encrypted",
    ]
    for model, pk, name, text in texts:
        raw = stored(model, pk, name)
        assert Fernet(KEY_B).decrypt(raw.encode()).decode() == text
        with pytest.raises(InvalidToken):
            Fernet(KEY_A).decrypt(raw.encode())

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key removed
    assert read_back(texts) == words
    call_command("reencrypt", stdout=StringIO())  # again: nothing lost
    assert read_back(texts) == words


def test_a_text_no_key_opens_is_an_error_not_gibberish(settings, texts):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key removed before `reencrypt` ran
    with pytest.raises(InvalidToken):
        Child.objects.get(pk=texts[3][1])
    with pytest.raises(CommandError, match="put back the key"):
        call_command("reencrypt", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    assert read_back(texts) == [words for *_, words in texts]  # nothing was written over


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migrations_encrypt_the_stored_texts_and_decrypt_them_when_reversed(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    before = [("consultations", "0004_outbox"), ("hanamaru", "0007_outbox")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    resident, author = ResidentFactory(), UserFactory()  # jii stays migrated
    case = old.get_model("consultations", "Consultation").objects.create(
        resident_id=resident.pk, topic="residence", description="私のビザ", outcome_summary="",
        consented_at=timezone.now(),
    )  # fmt: skip
    note = old.get_model("consultations", "CaseNote").objects.create(
        consultation=case, author_id=author.pk, text="電話"
    )
    kid = old.get_model("hanamaru", "Child").objects.create(
        guardian_id=resident.pk, first_name="Lucas", family_name="Silva", age=7, japanese_level="speaks", needs="卵"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Fernet(KEY_A).decrypt(stored(Consultation, case.pk, "description").encode()).decode() == "私のビザ"
    assert stored(Consultation, case.pk, "outcome_summary") == ""
    assert "電話" not in stored(CaseNote, note.pk, "text") and "卵" not in stored(Child, kid.pk, "needs")
    assert (Consultation.objects.get(pk=case.pk).description, CaseNote.objects.get(pk=note.pk).text) == (
        "私のビザ",
        "電話",
    )
    assert Child.objects.get(pk=kid.pk).needs == "卵"

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: plain text again
    assert (stored(Consultation, case.pk, "description"), stored(Child, kid.pk, "needs")) == ("私のビザ", "卵")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
