"""A freed place is offered to the first child waiting, with a deadline: accepting takes it, declining or missing
the deadline passes it to the next child (the daily job), a reminder goes out once on the last day, and a place
is never offered twice (not even with answers and the daily job arriving together). Guardians see where their
child is on the waiting list, and tell the tutors when their child will miss a session."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from hanamaru import services
from hanamaru.models import Absence, Class, Enrolment
from hanamaru.tasks import run_daily_hanamaru_jobs
from jii.models import Message, Resident
from jii.status_links import make_token
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.hanamaru.conftest import child, committed, enrol, session_in
from tests.page_checks import nu_errors
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def full_class_with_waiting_list(klass):
    """Two children with a place (Ana's), then Leo (Ana's) and Minh (Lan's) waiting, in that order."""
    lucas, bia, leo = enrol(klass, child("Lucas"), child("Bia"), child("Leo"))
    minh = enrol(klass, child("Minh", family_name="Nguyen"), email="lan@example.com", name="Lan", language="vi")[0]
    mail.outbox.clear()
    return lucas, bia, leo, minh


def statuses(*enrolments):
    return [Enrolment.objects.get(pk=enrolment.pk).status for enrolment in enrolments]


def deadline_passes(enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(offered_until=timezone.now() - timedelta(minutes=1))


def sent(template):
    messages = Message.objects.filter(template=template).order_by("pk")
    return list(messages.values_list("resident__email", "ids__enrolment"))


@override_settings(HANAMARU_OFFER_DAYS=3)
def test_a_freed_place_is_offered_with_the_deadline_of_the_setting_and_accepting_takes_it(klass):
    lucas, _bia, leo, minh = full_class_with_waiting_list(klass)
    with committed():
        assert services.withdraw(enrolment=lucas) == leo
    leo.refresh_from_db()
    assert leo.status == "offered" and leo.enrolled_at is None
    assert timedelta(days=3) - timedelta(minutes=1) < leo.offered_until - timezone.now() <= timedelta(days=3)
    assert sent("hanamaru_place_offered") == [("ana@example.com", leo.pk)]
    # The offered place is held: nobody enrolling now gets it, and the class shows no place left.
    newcomer = enrol(klass, child("Sofiia", family_name="Kovalenko"), email="olena@example.com", name="Olena")[0]
    assert newcomer.status == "waiting"
    services.accept_offer(enrolment=leo)
    leo.refresh_from_db()
    assert leo.status == "enrolled" and leo.enrolled_at
    assert statuses(minh, newcomer) == ["waiting", "waiting"]
    with pytest.raises(services.HanamaruError, match="no longer open"):
        services.accept_offer(enrolment=leo)  # answered already


def test_an_offer_not_answered_in_time_passes_to_the_next_child_with_the_daily_job(klass):
    lucas, _bia, leo, minh = full_class_with_waiting_list(klass)
    services.withdraw(enrolment=lucas)
    deadline_passes(leo)
    with pytest.raises(services.HanamaruError, match="no longer open"):
        services.accept_offer(enrolment=leo)  # too late, even before the job has run
    with committed():
        assert run_daily_hanamaru_jobs()["offers_expired"] == 1
        assert run_daily_hanamaru_jobs()["offers_expired"] == 0  # runs every few hours: once is enough
    assert statuses(leo, minh) == ["expired", "offered"]
    assert sent("hanamaru_offer_expired") == [("ana@example.com", leo.pk)]
    assert sent("hanamaru_place_offered")[-1] == ("lan@example.com", minh.pk)
    assert {email.to[0] for email in mail.outbox} == {"ana@example.com", "lan@example.com"}


def test_declining_passes_the_place_on_and_leaves_the_waiting_list(klass):
    lucas, _bia, leo, minh = full_class_with_waiting_list(klass)
    services.withdraw(enrolment=lucas)
    assert services.decline_offer(enrolment=leo) == minh
    assert statuses(leo, minh) == ["declined", "offered"]
    services.decline_offer(enrolment=minh)
    assert statuses(minh) == ["declined"]
    # Nobody waits any more: the place is free for the next family who enrols.
    assert enrol(klass, child("Asha", family_name="Gurung"), email="bishnu@example.com", name="Bishnu")[0].status == (
        "enrolled"
    )


def test_a_place_freed_while_an_offer_is_open_is_not_offered_twice(klass):
    lucas, bia, leo, minh = full_class_with_waiting_list(klass)
    services.withdraw(enrolment=lucas)
    services.change_capacity(klass=klass, capacity=2)  # the admin saving the class again
    run_daily_hanamaru_jobs()
    assert statuses(leo, minh) == ["offered", "waiting"]
    assert Message.objects.filter(template="hanamaru_place_offered").count() == 1
    services.withdraw(enrolment=bia)  # another place: offered to the next child
    assert statuses(leo, minh) == ["offered", "offered"]
    services.withdraw(enrolment=leo)  # withdrawing with an offer open passes it on; nobody is left waiting
    assert Enrolment.objects.filter(klass=klass, status__in=Enrolment.HOLDING_PLACE).count() == 1


def test_the_reminder_goes_once_on_the_offers_last_day(klass):
    lucas, _bia, leo, _minh = full_class_with_waiting_list(klass)
    services.withdraw(enrolment=lucas)
    with committed():
        assert run_daily_hanamaru_jobs()["offers_reminded"] == 0  # days left
    Enrolment.objects.filter(pk=leo.pk).update(offered_until=timezone.now() + timedelta(hours=20))
    with committed():
        run_daily_hanamaru_jobs()
        run_daily_hanamaru_jobs()
    assert sent("hanamaru_offer_reminder") == [("ana@example.com", leo.pk)]
    services.accept_offer(enrolment=leo)
    assert not Message.objects.filter(template="hanamaru_offer_expired").exists()


OFFER_MESSAGES = {  # the subject of each, by language
    "hanamaru_place_offered": {
        "en": "Hanamaru class: a place is free for your child, please answer",
        "ja": "はなまるクラス: お子さまの席が空きました（お返事ください）",
        "vi": "Lớp Hanamaru: đã có chỗ cho con bạn, vui lòng trả lời",
    },
    "hanamaru_offer_reminder": {
        "en": "Reminder: please answer the offer of a place in the Hanamaru class",
        "ja": "リマインダー: はなまるクラスの席のご案内にお返事ください",
        "vi": "Nhắc nhở: vui lòng trả lời lời mời nhận chỗ trong lớp Hanamaru",
    },
    "hanamaru_offer_expired": {
        "en": "Hanamaru class: the place offered to your child has gone to the next child",
        "ja": "はなまるクラス: ご案内した席は次のお子さまに回りました",
        "vi": "Lớp Hanamaru: chỗ dành cho con bạn đã chuyển cho bé tiếp theo",
    },
}


@pytest.mark.parametrize("language", ["en", "ja", "vi"])
@pytest.mark.parametrize("template", list(OFFER_MESSAGES))
def test_offer_messages_reach_the_guardian_in_their_language(klass, template, language):
    lucas = enrol(klass, child("Ana"), child("Bia"), email="first@example.com")[0]
    [leo] = enrol(klass, child("Leo"), language=language)
    mail.outbox.clear()
    with committed():
        services.withdraw(enrolment=lucas)
        if template != "hanamaru_place_offered":
            deadline = timedelta(hours=20) if template == "hanamaru_offer_reminder" else -timedelta(minutes=1)
            Enrolment.objects.filter(pk=leo.pk).update(offered_until=timezone.now() + deadline)
            run_daily_hanamaru_jobs()
    email = [email for email in mail.outbox if email.to == ["ana@example.com"]][-1]  # the offer comes first
    assert email.subject == OFFER_MESSAGES[template][language]
    link = "/enroll/" if template == "hanamaru_offer_expired" else "/status/"
    assert "Leo" in email.body and link in email.body
    message = Message.objects.get(template=template, resident__email="ana@example.com")
    assert (message.language, message.state) == (language, "sent")


def test_the_english_messages_say_what_to_do_and_by_when(klass):
    lucas, _bia, leo, _minh = full_class_with_waiting_list(klass)
    with committed():
        services.withdraw(enrolment=lucas)
    [offer] = mail.outbox
    assert "Good news: a place is free in Hanamaru class Meguro for Leo." in offer.body
    assert "Please take the place or decline it on your status page by" in offer.body
    assert "/en/status/" in offer.body and offer.alternatives  # a text and an HTML part
    deadline_passes(leo)
    with committed():
        run_daily_hanamaru_jobs()
    expired = [email for email in mail.outbox if "has gone to the next child" in email.subject]
    assert [email.to for email in expired] == [["ana@example.com"]]
    assert f"/en/hanamaru/enroll/?class={klass.pk}" in expired[0].body


def test_the_guardian_sees_the_waiting_position_and_answers_the_offer_on_the_confirm_page(client, klass):
    lucas, _bia, leo, minh = full_class_with_waiting_list(klass)
    ana = make_token(lucas.child.guardian)
    lan = make_token(minh.child.guardian)
    assert "Your child is number 1 in line." in client.get(f"/en/status/{ana}/").content.decode()
    assert "Your child is number 2 in line." in client.get(f"/en/status/{lan}/").content.decode()
    services.withdraw(enrolment=lucas)
    html = client.get(f"/en/status/{ana}/").content.decode()
    assert "A place is free for your child. Please answer by" in html and "Take the place" in html
    assert "Your child is number 1 in line." in client.get(f"/en/status/{lan}/").content.decode()  # moved up
    accept = f"/en/hanamaru/r/enrolments/{leo.pk}/accept/"
    question = client.post(accept, {"token": ana}).content.decode()
    assert "Take the place for Leo in Hanamaru class Meguro?" in question and 'value="yes"' in question
    assert statuses(leo) == ["offered"]
    page = client.post(accept, {"token": ana, "confirmed": "yes"}, follow=True).content.decode()
    assert "Your child has a place in the class now." in page and statuses(leo) == ["enrolled"]
    again = client.post(accept, {"token": ana, "confirmed": "yes"}, follow=True).content.decode()
    assert "This offer of a place is no longer open." in again  # a second tap is explained, not a 500
    # Lan cannot answer Ana's offer.
    decline = f"/en/hanamaru/r/enrolments/{leo.pk}/decline/"
    assert client.post(decline, {"token": lan, "confirmed": "yes"}).status_code == 404


def test_declining_from_the_status_page(client, klass):
    lucas, _bia, leo, minh = full_class_with_waiting_list(klass)
    services.withdraw(enrolment=lucas)
    token = make_token(leo.child.guardian)
    decline = f"/en/hanamaru/r/enrolments/{leo.pk}/decline/"
    assert "goes to the next child on the waiting list" in client.post(decline, {"token": token}).content.decode()
    client.post(decline, {"token": token, "confirmed": "yes"})
    assert statuses(leo, minh) == ["declined", "offered"]
    assert "Leo" not in client.get(f"/en/status/{token}/").content.decode()  # off the list


@pytest.mark.parametrize(("children", "sessions"), [(1, 1), (3, 4)])
def test_the_status_page_runs_a_fixed_number_of_queries(client, klass, children, sessions, django_assert_num_queries):
    for n in range(sessions):
        session_in(klass, days=n + 1)
    if children == 1:
        [first] = enrol(klass, child("Lucas"))
    else:  # one with a place and an absence reported, one offered a place, one waiting
        first, second, *_waiting = enrol(klass, *(child(name) for name in ("Lucas", "Bia", "Leo", "Mia")))
        services.withdraw(enrolment=second)
        services.report_absence(enrolment=first, session=klass.sessions.first())
    token = make_token(first.child.guardian)
    # resident; OFP, Spot; Hanamaru: enrolments with their waiting positions, the classes' coming sessions, the
    # children's absences, the consent text; consultations; an open erasure request
    with django_assert_num_queries(9):
        assert client.get(f"/en/status/{token}/").status_code == 200


def tutor_of(session):
    volunteer = VolunteerFactory(profile__status="approved")
    services.sign_up_tutor(session=session, volunteer=volunteer.volunteer_profile)
    return volunteer


def test_a_guardian_reports_an_absence_and_the_tutor_and_coordinator_see_it(client, klass):
    session, later = session_in(klass, days=2), session_in(klass, days=9)
    lucas, bia = enrol(klass, child("Lucas"), child("Bia"))
    token = make_token(lucas.child.guardian)
    html = client.get(f"/en/status/{token}/").content.decode()
    assert f'<label for="absence-session-{lucas.pk}">Session</label>' in html
    assert f'<label for="absence-reason-{lucas.pk}">Reason (optional)</label>' in html
    response = client.post(
        f"/en/hanamaru/r/enrolments/{lucas.pk}/absence/",
        {"token": token, "session": session.pk, "reason": "熱があります"},
        follow=True,
    )
    assert "The tutors know your child will not come to that session." in response.content.decode()
    assert ": you told us your child will not come." in response.content.decode()
    absence = Absence.objects.get()
    assert (absence.session, absence.child, absence.reason) == (session, lucas.child, "熱があります")
    # Again for the same session: still one report, with the new reason.
    services.report_absence(enrolment=lucas, session=session, reason="")
    assert Absence.objects.get().reason == ""

    client.force_login(tutor_of(session))
    tutor_page = client.get("/en/volunteer/").content.decode()
    assert "Lucas — Speaks some, cannot read yet <strong>(reported absent)</strong>" in tutor_page
    assert "Bia — Speaks some, cannot read yet</li>" in tutor_page
    tutor_of(later)  # another session of the class: Lucas comes to that one

    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    form = client.get(f"/en/admin/hanamaru/session/{session.pk}/attendance/").content.decode()
    assert "Silva Lucas (reported absent)" in form and "Silva Bia (reported absent)" not in form
    ticked = {int(pk) for pk in re.findall(r'name="children_present" value="(\d+)"[^>]*checked', form)}
    assert ticked == {bia.child.pk}  # Lucas starts unticked
    Absence.objects.update(reason="熱があります")
    page = client.get(f"/en/admin/hanamaru/session/{session.pk}/change/").content.decode()
    assert "熱があります" in page  # the reason is for coordinators (tutors see the absence only)


def test_no_absence_for_a_session_that_has_started_or_another_class_or_bad_input(client, klass):
    started = session_in(klass, hours=-1)
    coming = session_in(klass, days=3)
    [lucas] = enrol(klass, child("Lucas"))
    with pytest.raises(services.HanamaruError, match="already started"):
        services.report_absence(enrolment=lucas, session=started)
    other = Class.objects.create(**{field: getattr(klass, field) for field in (
        "name", "venue", "address", "area", "level", "age_band", "capacity", "tutors_needed")})  # fmt: skip
    with pytest.raises(services.HanamaruError, match="no place in this class"):
        services.report_absence(enrolment=lucas, session=session_in(other, days=3))
    token = make_token(lucas.child.guardian)
    absence = f"/en/hanamaru/r/enrolments/{lucas.pk}/absence/"
    for data, message in [
        ({"session": started.pk}, "Please choose one of the coming sessions."),
        ({"session": "99999999999999999999999"}, "Please choose one of the coming sessions."),
        ({"reason": "sick"}, "Please choose one of the coming sessions."),
        ({"session": coming.pk, "reason": "x" * 201}, "Please shorten this to 200 characters or fewer"),
    ]:
        response = client.post(absence, {"token": token, **data}, follow=True)
        assert response.status_code == 200 and message in response.content.decode()
    assert not Absence.objects.exists()
    theirs = enrol(klass, child("Minh"), email="lan@example.com", name="Lan")[0]
    assert client.post(f"/en/hanamaru/r/enrolments/{theirs.pk}/absence/",
                       {"token": token, "session": coming.pk}).status_code == 404  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_answers_and_the_daily_job_arriving_together_never_overfill_the_class(klass):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    Class.objects.filter(pk=klass.pk).update(capacity=3)
    klass.refresh_from_db()
    placed = enrol(klass, *(child(f"Placed{n}") for n in range(3)))
    waiting = [enrol(klass, child(f"Waiting{n}"), email=f"family{n}@example.com")[0] for n in range(5)]
    for enrolment in placed:
        services.withdraw(enrolment=enrolment)
    offers = list(Enrolment.objects.filter(status="offered"))
    assert {offer.pk for offer in offers} == {enrolment.pk for enrolment in waiting[:3]}
    # At the deadline: the job sees the offers as late while the guardians (twice each: two tabs) still accept.
    at_deadline = max(offer.offered_until for offer in offers)
    steps = [lambda offer=offer: services.accept_offer(enrolment=offer) for offer in offers for _tab in range(2)]
    steps += [lambda: services.expire_offers(at_deadline)] * 2
    outcomes = race(len(steps), lambda i: steps[i](), refused=services.HanamaruError)
    # A refusal (too late, or answered already) is told to the guardian.
    refused = [outcome for outcome in outcomes if isinstance(outcome, services.HanamaruError)]
    rows = list(Enrolment.objects.filter(klass=klass).values_list("status", flat=True))
    holding = rows.count("enrolled") + rows.count("offered")
    assert holding <= 3
    # No place lost either: a place not taken went on to a child still waiting, while any was (when the job
    # came first, the three late offers expired and only two children were left to offer their places to).
    assert holding == min(3, holding + rows.count("waiting"))
    assert len(refused) >= 3  # each offer is accepted once at most


def test_the_status_and_volunteer_pages_with_offers_and_absences_are_valid_html(client, klass):
    session = session_in(klass, days=2)
    lucas, bia, _leo, _mia = enrol(klass, *(child(name) for name in ("Lucas", "Bia", "Leo", "Mia")))
    services.withdraw(enrolment=bia)  # Leo offered, Mia waiting
    services.report_absence(enrolment=lucas, session=session, reason="")
    pages = {"status": client.get(f"/en/status/{make_token(lucas.child.guardian)}/").content.decode()}
    client.force_login(tutor_of(session))
    pages["volunteer"] = client.get("/en/volunteer/").content.decode()
    assert "Take the place" in pages["status"] and "number 1 in line" in pages["status"]
    assert "reported absent" in pages["volunteer"]
    assert nu_errors(pages) == {}


def test_the_demo_shows_an_open_offer_and_a_waiting_position(client):
    call_command("load_demo_data", stdout=StringIO())
    guardian = Resident.objects.get(email="hanamaru-demo-4@example.com")
    html = client.get(f"/en/status/{make_token(guardian)}/").content.decode()
    assert "A place is free for your child. Please answer by" in html and "number 1 in line" in html
