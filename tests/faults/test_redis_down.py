"""Faults on the real stack (PostgreSQL, Redis, a real worker): Redis, broker and cache both, stops while
several residents send the four programs' forms and ask for their status link again, and comes back; every page
answers as usual, every record is saved once, the worker reconnects, and every confirmation is delivered once."""

import time

from django.utils import timezone

from consultations.models import Consultation
from hanamaru.models import Enrolment
from jii import outbox
from jii.models import Message, Resident
from matching.models import Application
from spot.models import SpotRequest
from tests.consultations.test_intake_and_desk import intake
from tests.faults import REAL_STACK, emails_in
from tests.hanamaru.conftest import klass  # noqa: F401 (a fixture)
from tests.hanamaru.test_pages import enrol_form
from tests.jii.test_celery_worker import TIMEOUT, log_tail, running_worker
from tests.matching.test_pages import application_form
from tests.spot.test_pages import request_form

pytestmark = REAL_STACK

RESIDENTS = ["mai@example.org", "an@example.org", "lan@example.org"]
RECORDS = {  # what each form saves, by the resident's address
    "spot/request/": lambda address: SpotRequest.objects.filter(resident__email=address),
    "ofp/apply/": lambda address: Application.objects.filter(resident__email=address),
    "hanamaru/enroll/": lambda address: Enrolment.objects.filter(child__guardian__email=address),
    "consultations/request/": lambda address: Consultation.objects.filter(resident__email=address),
}


def wait_until(condition, what: str, log):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {TIMEOUT}s; worker log:\n{log_tail(log)}")
        time.sleep(0.2)


def test_with_redis_down_every_form_answers_as_usual_and_every_confirmation_goes_once_redis_is_back(
    broker,
    client,
    tmp_path,
    settings,
    klass,  # noqa: F811
):
    # The cache on the same Redis, as in production: page caches and the forms' limits go down with it.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": broker.url.replace("/0", "/1")}}
    klass.capacity = len(RESIDENTS)
    klass.save()
    forms = {
        "spot/request/": request_form,
        "ofp/apply/": application_form,
        "hanamaru/enroll/": lambda email: enrol_form(klass, email=email),
        "consultations/request/": intake,
    }
    for path in forms:  # the process warmed up (templates, dictionaries), as a running site is
        client.get(f"/vi/{path}")
    with running_worker(tmp_path, broker.url) as worker:
        broker.stop()  # the worker is running and loses its broker; this process its broker and its cache

        answers = []  # (what, status, seconds)

        def timed(what, send, *args):
            started = time.monotonic()
            response = send(*args)
            answers.append((what, response.status_code, time.monotonic() - started))
            return response

        for address in RESIDENTS:
            for path, form in forms.items():
                timed(path, client.get, f"/vi/{path}")
                posted = timed(path, client.post, f"/vi/{path}", form(email=address))
                assert posted.status_code == 302, (path, address, posted.status_code)
                timed(path, client.get, posted["Location"])  # the thanks page
            # The form limited per address and network, by counts kept in the cache.
            timed("status/", client.post, "/vi/status/", {"contact": address})
        timed("home", client.get, "/vi/")
        assert [answer for answer in answers if answer[1] >= 400] == []
        # As usual means without waiting for Redis too (the hand-over once retried for six seconds).
        assert [answer for answer in answers if answer[2] >= 1] == []

        assert sorted(Resident.objects.values_list("email", flat=True)) == sorted(RESIDENTS)  # each saved once
        for address in RESIDENTS:
            assert {path: records(address).count() for path, records in RECORDS.items()} == dict.fromkeys(RECORDS, 1)
        messages = Message.objects.all()
        # A confirmation of each form and a status link each, waiting in the database, not lost.
        assert messages.count() == len(RESIDENTS) * (len(forms) + 1)
        assert set(messages.values_list("state", "attempts")) == {("queued", 0)}

        broker.start()  # Redis is back on the same port: the worker reconnects by itself
        # The next minute's sweep finds the messages overdue (moved back here instead of waiting two minutes).
        messages.update(next_attempt_at=timezone.now() - outbox.OVERDUE_AFTER)
        assert outbox.queue_waiting() == messages.count()

        wait_until(lambda: not messages.filter(state="queued").exists(), "confirmations still queued", worker["log"])
        assert set(messages.values_list("state", "attempts")) == {("sent", 1)}
        assert outbox.queue_waiting() == 0  # a sweep after that sends nothing more
        time.sleep(1)
        emails = emails_in(worker["mail_dir"])
        assert sorted(email["To"] for email in emails) == sorted(RESIDENTS * (len(forms) + 1))  # each once
        assert all("/vi/status/" in email.get_body(preferencelist=("plain",)).get_content() for email in emails)
