import pytest
from django.core.cache import cache

from tests.factories import CoordinatorFactory, ResidentFactory, VolunteerFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers are slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth keeps its rate-limit counters in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(db):
    return ResidentFactory()


@pytest.fixture
def pending_volunteer(db):
    return VolunteerFactory(profile__status="pending")


@pytest.fixture
def approved_volunteer(db):
    return VolunteerFactory(profile__status="approved")


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()
