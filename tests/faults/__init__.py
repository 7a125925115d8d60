import pytest
from django.conf import settings

# The marks of a fault test that needs a real Celery worker: Redis, and a database the worker process shares.
REAL_STACK = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker and worker"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: the worker process shares the test database",
    ),
]
