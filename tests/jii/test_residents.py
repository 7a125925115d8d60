import pytest

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
    assert again.phone == "080-1111-2222"


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
