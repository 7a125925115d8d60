import threading

import pytest
from django.db import connection

from jii.models import Language, Resident
from jii.services import find_or_create_resident

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
    barrier = threading.Barrier(2)
    found, errors = [], []

    def submit():
        try:
            barrier.wait()
            found.append(find_or_create_resident(email="same@example.com", **details()).pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
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
