import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.utils import is_mfa_enabled
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client as DjangoClient
from django.utils import translation

from config.celery import app as celery_app
from donations.progress import local_pages
from tests.factories import CoordinatorFactory, ResidentFactory, VolunteerFactory
from tests.stripe_wire import StripeStandIn


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process, so tests see their effects (mail.outbox) even when REDIS_URL points at a real
    broker. Only tests marked `worker` talk to a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def source_language():
    # Code outside a request speaks the active language, and a request leaves its language active in the thread:
    # each test starts in English, the source language, whatever the test before it asked for, and a test that
    # reads another language says so (translation.override, or a page's language prefix).
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers are slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_caches():
    # allauth keeps its rate-limit counters in the cache, and the campaign page keeps pages in it and in each
    # process for a second: each test starts with none.
    cache.clear()
    local_pages.clear()
    yield
    cache.clear()
    local_pages.clear()


class Client(DjangoClient):
    """force_login lets a user in past every step of signing in: for one with an authenticator app, the second
    factor too, recorded in the session as allauth records it (jii.middleware.StaffSecondFactor checks it)."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if is_mfa_enabled(user):
            request = HttpRequest()
            request.session, request.user = self.session, user
            record_authentication(request, user, "mfa", type="totp")
            request.session.save()


@pytest.fixture
def client():
    return Client()


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


@pytest.fixture
def stripe_api(settings):
    """Stripe's API stood in for on a local port (tests/stripe_wire.py). Afterwards every request the site
    made must be one Stripe would take, by stripe-python's own typed classes for the pinned API version."""
    stand_in = StripeStandIn()
    settings.STRIPE_API_BASE = stand_in.url
    yield stand_in
    stand_in.close()
    problems = stand_in.problems(settings.STRIPE_API_VERSION, settings.STRIPE_SECRET_KEY)
    assert not problems, "Stripe would refuse:\n" + "\n".join(problems)
