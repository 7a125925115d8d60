import pytest
from django.db import connection

from jii.models import Language, Resident
from jii.services import find_or_create_resident
from tests.race import race

pytestmark = pytest.mark.django_db


def details(**changes):
    return {
        "name": "Olena Kovalenko",
        "prefecture": "tokyo",
        "municipality": "江戸川区",
        "household_type": "refugee",
        "language": "en",
        **changes,
    }


def test_one_person_is_one_record_whatever_the_letter_case_of_their_email():
    first = find_or_create_resident(email="olena@example.com", **details())
    again = find_or_create_resident(email="  Olena@Example.COM ", **details(phone="080-1111-2222"))
    assert first.pk == again.pk
    assert Resident.objects.count() == 1
    again.refresh_from_db()
    assert again.phone == "080-1111-2222"  # a blank field is completed


def test_someone_typing_a_residents_email_cannot_overwrite_their_record():
    find_or_create_resident(email="olena@example.com", **details(phone="080-1111-2222"))
    resident = find_or_create_resident(
        email="olena@example.com", **details(name="Somebody Else", phone="090-9999-9999", language="ja")
    )
    resident.refresh_from_db()
    assert (resident.name, resident.phone, resident.language) == ("Olena Kovalenko", "080-1111-2222", "en")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_submissions_at_once_make_one_record():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves two connections at once (PostgreSQL)")
    found = race(2, lambda _: find_or_create_resident(email="same@example.com", **details()).pk)
    assert len(set(found)) == 1
    assert Resident.objects.filter(email="same@example.com").count() == 1


def test_languages_given_later_are_added_not_replaced():
    ukrainian, russian = Language.objects.get(code="uk"), Language.objects.get(code="ru")
    find_or_create_resident(email="olena@example.com", languages=[ukrainian], **details())
    resident = find_or_create_resident(email="olena@example.com", languages=[russian], **details())
    assert set(resident.languages.values_list("code", flat=True)) == {"uk", "ru"}


def test_each_resident_gets_a_different_secret_status_key():
    a = find_or_create_resident(email="a@example.com", **details())
    b = find_or_create_resident(email="b@example.com", **details())
    assert a.status_key != b.status_key
    assert len(a.status_key) >= 32


# --- residents without email ------------------------------------------------------------------------------


def test_a_resident_without_email_is_one_record_found_again_by_phone():
    first = find_or_create_resident(email="", phone="080-1234-5678", **details())
    again = find_or_create_resident(email="", phone="+81 80 1234 5678", **details(name="Olena K."))
    assert again == first and first.email == "" and Resident.objects.count() == 1
    later = find_or_create_resident(email="Olena@Example.org", phone="08012345678", **details())
    assert later == first
    first.refresh_from_db()
    assert first.email == "olena@example.org"  # the email given later completes the record


def test_many_residents_can_be_without_email_but_not_without_email_and_phone():
    find_or_create_resident(email="", phone="080-1111-2222", **details())
    find_or_create_resident(email="", phone="090-3333-4444", **details(name="Ahmad"))
    assert Resident.objects.filter(email="").count() == 2
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.create(email="", phone="", **details())


def test_a_message_to_a_resident_with_neither_email_nor_line_fails_at_once_and_says_why(
    django_capture_on_commit_callbacks,
):
    from jii.models import Message
    from jii.services import send_status_link

    resident = find_or_create_resident(email="", phone="080-1234-5678", **details())
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    message = Message.objects.get()
    assert (message.state, message.attempts) == ("failed", 1)
    assert "no email address, and no LINE" in message.last_error


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="needs poppler-utils (CI installs it)")
def test_a_coordinator_prints_the_status_link_as_a_qr_sheet_in_each_residents_language(client, tmp_path):
    import subprocess

    from jii.status_links import status_url
    from tests.factories import CoordinatorFactory

    olena = find_or_create_resident(email="", phone="080-1234-5678", **details(language="uk"))
    ahmad = find_or_create_resident(email="", phone="090-1234-5678", **details(name="Ahmad Karimi", language="fa-af"))
    client.force_login(CoordinatorFactory())
    response = client.post(
        "/en/admin/jii/resident/", {"action": "print_status_sheets", "_selected_action": [olena.pk, ahmad.pk]}
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "sheets.pdf"
    pdf.write_bytes(response.content)
    pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in pages
    text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Відскануйте цей код камерою телефону" in text  # Olena's page, in Ukrainian
    assert "Ahmad Karimi" in text and "Olena Kovalenko" in text
    import re

    # Compared without spaces, line breaks, bidi marks or hyphens (pdftotext drops a hyphen that ends a line).
    bare = re.sub(r"[\s\u200e\u200f\u202a-\u202e-]", "", text)
    for resident in (olena, ahmad):  # the signed link (its date part is the moment it was printed)
        assert status_url(resident).rsplit(":", 2)[0].replace("-", "") in bare
