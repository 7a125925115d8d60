import pytest

from config.celery import app as celery_app
from tests.faults import RedisServer, free_port, this_process_publishes_to


@pytest.fixture
def broker(transactional_db, django_db_serialized_rollback):
    """A Redis server of the test's own, which this process publishes to. Depends on the database fixture so
    that it (and the workers on it) stop before pytest-django flushes the database."""
    if celery_app.conf.task_always_eager:
        pytest.skip("CELERY_TASK_ALWAYS_EAGER is on: no broker is used")
    server = RedisServer(free_port())
    server.start()
    with this_process_publishes_to(server.url):
        yield server
    if server.process.poll() is None:
        server.stop()
