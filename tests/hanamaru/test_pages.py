"""Hanamaru's pages: the class list, the enrolment form (errors on their fields, nothing saved on bad input),
the guardian's status section and consent versions, the tutor's view of the children, the calendars, and
who may see children's data."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone, translation

from hanamaru import services
from hanamaru.calendar import tutor_calendar_token
from hanamaru.models import Child, Enrolment, Session
from jii.models import Area, Language
from jii.status_links import make_token
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.hanamaru.conftest import child, committed, enrol, session_in

pytestmark = pytest.mark.django_db


def enrol_form(the_class, **changes):
    data = {
        "name": "Ana Silva", "email": "ana@example.com", "phone": "", "area": Area.objects.get(code="tokyo-meguro").pk,
        "languages": [Language.objects.get(code="pt").pk], "klass": the_class.pk, "consent": "on", "consent_version": 1,
        "child-TOTAL_FORMS": "3", "child-INITIAL_FORMS": "0", "child-MIN_NUM_FORMS": "0", "child-MAX_NUM_FORMS": "3",
        "child-0-first_name": "Lucas", "child-0-family_name": "Silva", "child-0-age": "7",
        "child-0-school": "目黒区立 小学校 2年", "child-0-home_languages": [Language.objects.get(code="pt").pk],
        "child-0-japanese_level": "speaks", "child-0-needs": "卵アレルギー",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_class_list_shows_places_left_and_the_next_session(client, klass):
    session_in(klass, days=3)
    enrol(klass, child("Lucas"))
    html = client.get("/en/hanamaru/").content.decode()
    assert "Hanamaru class Meguro" in html and "1 place left" in html and "Enrol a child" in html
    enrol(klass, child("Bia"))
    assert "Full — you can join the waiting list" in client.get("/en/hanamaru/").content.decode()


@pytest.mark.parametrize("classes", [1, 10])
def test_the_class_list_runs_a_fixed_number_of_queries(client, klass, classes, django_assert_num_queries):
    for n in range(classes - 1):
        klass.pk = None
        klass.name = {"ja": f"クラス {n}", "en": f"Class {n}"}
        klass.save()
        session_in(klass, days=n + 1)
    with django_assert_num_queries(1):  # classes with places and next session
        assert client.get("/en/hanamaru/").status_code == 200


def test_a_guardian_enrols_two_children_and_gets_an_email_in_english(client, klass):
    data = enrol_form(klass, **{"child-1-first_name": "Bia", "child-1-family_name": "Silva", "child-1-age": "6",
                                "child-1-home_languages": [Language.objects.get(code="pt").pk],
                                "child-1-japanese_level": "none"})  # fmt: skip
    with committed():
        response = client.post("/en/hanamaru/enroll/", data, follow=True)
    assert "2 children have a place." in response.content.decode()
    assert sorted(Child.objects.values_list("first_name", flat=True)) == ["Bia", "Lucas"]
    assert Enrolment.objects.filter(status="enrolled").count() == 2
    [message] = mail.outbox
    assert message.subject == "Hanamaru class: we received your enrolment" and "Bia: has a place." in message.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"child-0-age": "30"}, "id_child-0-age", "for children from 3 to 15"),
        ({"child-0-first_name": "", "child-0-family_name": "", "child-0-age": "", "child-0-school": "",
          "child-0-home_languages": None, "child-0-japanese_level": None, "child-0-needs": ""},
         None, "Please tell us about at least one child."),
        ({"consent": None}, "id_consent", "Please tick the box to agree."),
        ({"klass": "999"}, "id_klass", "Select a valid choice."),
    ],
)  # fmt: skip
def test_bad_input_is_explained_and_nothing_is_saved(client, klass, changes, field, message):
    response = client.post("/en/hanamaru/enroll/", enrol_form(klass, **changes))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    if field:
        # The message has an id, and the field names it in aria-describedby.
        assert f'id="{field}_error"' in html and html.count(f"{field}_error") >= 2
    assert not Child.objects.exists() and not Enrolment.objects.exists()


@pytest.mark.parametrize("total", ["4", "1000000000"])
def test_a_posted_form_count_above_three_is_an_error_and_builds_three_forms_at_most(client, klass, total):
    response = client.post("/en/hanamaru/enroll/", enrol_form(klass, **{"child-TOTAL_FORMS": total}))
    html = response.content.decode()
    assert response.status_code == 200 and "You can enrol up to 3 children at a time." in html
    assert len(re.findall(r'name="child-\d+-first_name"', html)) == 3 and len(html) < 100_000  # not a thousand
    assert not Child.objects.exists()


def test_the_enrolment_form_speaks_japanese_at_the_root(client, klass):
    html = client.get("/hanamaru/enroll/").content.decode()
    assert "はなまるクラスに子どもを申し込む" in html and "子どもの情報の取り扱い" in html
    assert "年齢" in html and "経過時間" not in html  # a child's age, not how long something has been open


def test_the_guardian_sees_places_withdraws_and_agrees_again_to_a_new_consent(client, klass):
    session_in(klass, days=3)
    first, _second, waiting = enrol(klass, child("Lucas"), child("Bia"), child("Leo"))
    guardian = first.child.guardian
    status = f"/en/status/{make_token(guardian)}/"
    html = client.get(status).content.decode()
    assert "Enrolled." in html and "On the waiting list." in html and "Please agree to the updated text" not in html
    with committed():
        services.publish_consent(text={"ja": "新しい同意文", "en": "The new consent text"})
    assert [message.to for message in mail.outbox[-1:]] == [[guardian.email]]
    html = client.get(status).content.decode()
    assert "Please agree to the updated text" in html and "The new consent text" in html
    client.post("/en/hanamaru/r/consent/", {"consent": "on", "consent_version": "2", "token": make_token(guardian)})
    assert set(Enrolment.objects.values_list("consent__version", flat=True)) == {2}
    assert "Please agree to the updated text" not in client.get(status).content.decode()
    withdraw = f"/en/hanamaru/r/enrolments/{first.pk}/withdraw/"
    token = status.split("/")[3]  # the back link is to the page the resident came from
    question = client.post(withdraw, {"token": token}).content.decode()  # the button asks first
    assert "Withdraw Lucas from" in question and "goes to the next child on the waiting list" in question
    assert 'name="confirmed" value="yes"' in question and f'href="{status}"' in question
    assert Enrolment.objects.get(pk=first.pk).status == "enrolled"
    with committed():
        client.post(withdraw, {"confirmed": "yes", "token": token})
    waiting.refresh_from_db()
    assert waiting.status == "offered"  # Lucas's place is offered to Leo


def test_a_guardian_cannot_withdraw_someone_elses_child(client, klass):
    mine = enrol(klass, child("Lucas"))[0]
    theirs = enrol(klass, child("Minh"), email="lan@example.com", name="Lan")[0]
    response = client.post(
        f"/en/hanamaru/r/enrolments/{theirs.pk}/withdraw/",
        {"confirmed": "yes", "token": make_token(mine.child.guardian)},
    )
    assert response.status_code == 404 and Enrolment.objects.get(pk=theirs.pk).status == "enrolled"


def test_tutors_see_only_first_names_and_levels_of_their_sessions_children(client, klass):
    session = session_in(klass, days=3)
    enrol(klass, child("Lucas", family_name="Silva", needs="卵アレルギー", school="目黒区立 小学校"))
    tutor = VolunteerFactory(profile__status="approved")
    other = VolunteerFactory(profile__status="approved")
    services.sign_up_tutor(session=session, volunteer=tutor.volunteer_profile)
    client.force_login(tutor)
    html = client.get("/en/volunteer/").content.decode()
    assert "Lucas — Speaks some, cannot read yet" in html
    assert "Silva" not in html and "卵アレルギー" not in html and "目黒区立" not in html
    client.force_login(other)
    html = client.get("/en/volunteer/").content.decode()
    assert "Lucas" not in html and "I will tutor" in html  # the session still needs a tutor


def test_a_volunteer_signs_up_from_the_class_page_and_withdraws_from_the_dashboard(client, klass):
    session = session_in(klass, days=3)
    volunteer = VolunteerFactory(profile__status="approved")
    client.force_login(volunteer)
    response = client.post(f"/en/hanamaru/sessions/{session.pk}/tutor/", {"next": "/en/hanamaru/"}, follow=True)
    assert "You are a tutor for this session." in response.content.decode()
    assert "You are signed up." in response.content.decode()
    withdraw = f"/en/hanamaru/sessions/{session.pk}/withdraw/"
    question = client.post(withdraw, {"next": "https://evil.example/"}).content.decode()
    assert "Give up your tutoring on" in question and "look for another tutor" in question
    assert session.signups.filter(withdrawn_at__isnull=True).exists()  # not yet
    response = client.post(withdraw, {"next": "https://evil.example/", "confirmed": "yes"})
    assert response["Location"] == "/en/volunteer/"  # never to another site
    assert not session.signups.filter(withdrawn_at__isnull=True).exists()
    pending = VolunteerFactory(profile__status="pending")
    client.force_login(pending)
    assert client.post(f"/en/hanamaru/sessions/{session.pk}/tutor/").status_code == 403


@pytest.mark.parametrize("sessions", [1, 8])
def test_the_volunteer_page_runs_a_fixed_number_of_queries(client, klass, sessions, django_assert_num_queries):
    volunteer = VolunteerFactory(profile__status="approved")
    for n in range(sessions):
        enrol(klass, child(f"Child{n}"), email=f"family{n}@example.com")
        services.sign_up_tutor(session=session_in(klass, days=n + 2), volunteer=volunteer.volunteer_profile)
        session_in(klass, days=n + 2, hours=3)  # one more that needs tutors
    client.force_login(volunteer)
    # session, user, profile, languages, OFP, Spot; Hanamaru: my sessions, their children, absences reported for
    # them, sessions needing tutors; an open erasure request, the current pledge, whether they may help; their
    # hours (one per program)
    with django_assert_num_queries(17):
        assert client.get("/en/volunteer/").status_code == 200


def test_the_calendars_parse_and_carry_times_places_and_cancellations(client, klass):
    kept, cancelled = session_in(klass, days=3), session_in(klass, days=10)
    services.cancel_session(session=cancelled, reason="")
    response = client.get(f"/en/hanamaru/classes/{klass.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"hanamaru-session-{kept.pk}@j-ii.org", f"hanamaru-session-{cancelled.pk}@j-ii.org"}
    event = events[f"hanamaru-session-{kept.pk}@j-ii.org"]
    assert event.decoded("DTSTART") == kept.starts_at and event.decoded("DTEND") == kept.ends_at
    location = (
        "JII Meguro activity room (JII 目黒 活動室), 5-27-5 Shimomeguro, Meguro-ku, Tokyo (東京都目黒区下目黒5-27-5)"
    )
    assert str(event["LOCATION"]) == location  # with the Japanese, to ask the way
    assert str(events[f"hanamaru-session-{cancelled.pk}@j-ii.org"]["STATUS"]) == "CANCELLED"

    volunteer = VolunteerFactory(profile__status="approved").volunteer_profile
    services.sign_up_tutor(session=kept, volunteer=volunteer)
    mine = client.get(f"/en/hanamaru/tutor/{tutor_calendar_token(volunteer)}/calendar.ics")
    uids = [str(event["UID"]) for event in icalendar.Calendar.from_ical(mine.content).walk("VEVENT")]
    assert uids == [f"hanamaru-session-{kept.pk}@j-ii.org"]
    assert client.get("/en/hanamaru/tutor/forged/calendar.ics").status_code == 404


def test_childrens_data_is_for_coordinators_only(client, klass):
    enrolment = enrol(klass, child("Lucas"))[0]
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    assert client.get(f"/en/admin/hanamaru/child/{enrolment.child.pk}/change/").status_code == 403
    assert client.get("/en/admin/hanamaru/enrolment/").status_code == 403
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    assert client.get(f"/en/admin/hanamaru/child/{enrolment.child.pk}/change/").status_code == 200
    assert client.get(f"/en/admin/hanamaru/child/{enrolment.child.pk}/delete/").status_code == 403


def test_coordinators_create_a_term_record_attendance_and_read_the_figures(client, klass):
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    response = client.post(
        f"/en/admin/hanamaru/class/{klass.pk}/term/",
        {"first_day": "2026-01-10", "starts": "10:00", "ends": "11:30", "weeks": "4", "skip": "2026-01-17"},
        follow=True,
    )
    assert "3 sessions created." in response.content.decode()
    lucas = enrol(klass, child("Lucas"))[0].child
    Enrolment.objects.update(enrolled_at=timezone.now() - timedelta(days=365))  # a place since last year
    session = Session.objects.filter(klass=klass).first()
    client.post(f"/en/admin/hanamaru/session/{session.pk}/attendance/", {"children_present": [lucas.pk], "note": ""})
    assert lucas.attendance.get(session=session).present
    page = client.get("/en/admin/hanamaru/session/figures/", {"start": "2026-01-01", "end": "2026-01-31"})
    html = page.content.decode()
    assert 'id="hanamaru-sessions">1<' in html and 'id="hanamaru-attendance">100.0%<' in html
    # Moving a session is editing its times on its page (Tokyo time); a session already held cannot move.
    upcoming = session_in(klass, days=5)
    for target, held in ((upcoming, False), (session, True)):
        day = (timezone.localtime(target.starts_at) + timedelta(days=1)).date()
        response = client.post(
            f"/en/admin/hanamaru/session/{target.pk}/change/",
            {"starts_at_0": day.isoformat(), "starts_at_1": "13:00:00", "ends_at_0": day.isoformat(),
             "ends_at_1": "14:30:00", "signups-TOTAL_FORMS": "0", "signups-INITIAL_FORMS": "0",
             "absences-TOTAL_FORMS": "0", "absences-INITIAL_FORMS": "0"},
        )  # fmt: skip
        target.refresh_from_db()
        moved = timezone.localtime(target.starts_at)
        if held:
            assert (
                response.status_code == 200
                and "A session that has started cannot be moved." in response.content.decode()
            )
            assert moved.date() != day
        else:
            assert response.status_code == 302 and (moved.date(), moved.hour) == (day, 13)


def test_the_campaign_figures_count_held_sessions(klass):
    session = session_in(klass, hours=-1 / 60)  # began a minute ago: this year, whatever the day
    services.record_attendance(session=session, children_present=[], tutors_present=[], note="", by=None)
    from jii.figures import public_figures

    with translation.override("en"):
        figures = {str(label): value for label, value in public_figures()}
    assert figures["Hanamaru class sessions held this year"] == 1


def test_coordinators_publish_a_consent_version_and_more_places_fill_from_the_waiting_list(client, klass):
    enrolments = enrol(klass, child("Lucas"), child("Bia"), child("Leo"))
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    mail.outbox.clear()
    with committed():
        client.post("/en/admin/hanamaru/consenttext/add/", {"text_ja": "第2版の同意文", "text_en": "Version two"})
    assert Enrolment.objects.filter(consent__version=2).count() == 0  # nobody has agreed yet
    assert [message.subject for message in mail.outbox] == ["Hanamaru class: please agree to our updated text"]
    assert client.get("/en/admin/hanamaru/consenttext/").status_code == 200
    kept = ["level", "age_band", "tutors_needed"]
    data = {field: getattr(klass, field) for field in kept}
    for text in ("name", "venue", "address", "access_notes"):  # one box per language
        data.update({f"{text}_{code}": words for code, words in getattr(klass, text).items()})
    data.update({"area": klass.area_id, "capacity": 3, "is_open": "on"})
    data.update({"enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0"})
    with committed():
        response = client.post(f"/en/admin/hanamaru/class/{klass.pk}/change/", data)
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolments[2].pk).status == "offered"  # the new place is offered to Leo
    assert "a place is free" in mail.outbox[-1].subject


def test_coordinators_cancel_sessions_from_the_list(client, klass):
    session = session_in(klass, days=3)
    enrol(klass, child("Lucas"))
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    mail.outbox.clear()
    with committed():
        client.post("/en/admin/hanamaru/session/", {"action": "cancel_sessions", "_selected_action": [session.pk]})
    session.refresh_from_db()
    assert session.status == "cancelled" and len(mail.outbox) == 1


def test_the_consent_text_changing_while_the_guardian_reads_asks_again_and_keeps_their_answers(client, klass):
    services.publish_consent(text={"ja": "第2版", "en": "Version two of the text"})
    response = client.post("/en/hanamaru/enroll/", enrol_form(klass))  # the form was read at version 1
    html = response.content.decode()
    assert "has just been updated: please read it and agree" in html and "Version two of the text" in html
    assert 'value="Lucas"' in html and 'name="consent_version" value="2"' in html
    assert not Enrolment.objects.exists()
    with committed():
        client.post("/en/hanamaru/enroll/", enrol_form(klass, consent_version=2))
    assert Enrolment.objects.get().consent.version == 2


def test_sending_the_form_twice_enrols_the_child_once(client, klass):
    for _ in range(2):
        with committed():
            client.post("/en/hanamaru/enroll/", enrol_form(klass))
    assert Child.objects.count() == 1 and Enrolment.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("path", ["/en/hanamaru/enroll/", "/en/spot/request/"])
def test_an_absurd_id_is_an_invalid_choice_not_a_500(client, klass, path):
    data = enrol_form(klass, languages=["99999999999999999999999"], area="99999999999999999999999")
    response = client.post(path, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_admin_has_a_box_per_language_japanese_and_english_required(client, klass):
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    page = client.get(f"/en/admin/hanamaru/class/{klass.pk}/change/").content.decode()
    assert 'name="name_ja"' in page and 'name="name_en"' in page and 'name="name_vi"' in page
    assert '<label for="id_name_4">Vietnamese</label>' in page
    assert re.search(r'name="name_fa-af"[^>]* lang="fa-AF" dir="rtl"', page)  # Dari is typed right to left
    form = {"venue_ja": klass.venue["ja"], "venue_en": klass.venue["en"], "address_ja": klass.address["ja"],
            "address_en": klass.address["en"], "level": klass.level, "age_band": klass.age_band,
            "tutors_needed": 2, "capacity": 3, "area": klass.area_id, "is_open": "on",
            "enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0"}  # fmt: skip
    missing = client.post(f"/en/admin/hanamaru/class/{klass.pk}/change/", form | {"name_ja": "はなまる"})
    assert "Please write it in each of these languages: Japanese, English" in missing.content.decode()
    names = {"name_ja": "はなまるクラス", "name_en": "Hanamaru class", "name_vi": "Lớp Hanamaru"}
    names |= {"access_notes_ja": "", "access_notes_en": " ", "access_notes_vi": ""}  # emptied
    saved = client.post(f"/en/admin/hanamaru/class/{klass.pk}/change/", form | names)
    assert saved.status_code == 302
    klass.refresh_from_db()
    assert klass.name == {"ja": "はなまるクラス", "en": "Hanamaru class", "vi": "Lớp Hanamaru"}
    assert klass.access_notes == {}  # an optional text left empty in every language
    client.logout()
    assert "Lớp Hanamaru" in client.get("/vi/hanamaru/").content.decode()


def test_the_venue_and_address_show_in_the_readers_language_with_the_japanese_beside(client, klass):
    english = client.get("/en/hanamaru/").content.decode()
    assert 'JII Meguro activity room <span lang="ja">（JII 目黒 活動室）</span>' in english
    assert '5-27-5 Shimomeguro, Meguro-ku, Tokyo <span lang="ja">（東京都目黒区下目黒5-27-5）</span>' in english
    japanese = client.get("/hanamaru/").content.decode()
    assert "JII 目黒 活動室, 東京都目黒区下目黒5-27-5" in japanese and "（JII 目黒 活動室）" not in japanese


def test_a_class_with_its_venue_in_japanese_only_can_still_be_edited(client, klass):
    klass.venue, klass.address = {"ja": "JII 目黒 活動室"}, {"ja": "東京都目黒区下目黒5-27-5"}  # as migrated
    klass.save()
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    form = {"name_ja": klass.name["ja"], "name_en": klass.name["en"], "venue_ja": klass.venue["ja"],
            "address_ja": klass.address["ja"], "level": klass.level, "age_band": klass.age_band,
            "tutors_needed": 2, "capacity": 5, "area": klass.area_id, "is_open": "on",
            "enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0"}  # fmt: skip
    assert client.post(f"/en/admin/hanamaru/class/{klass.pk}/change/", form).status_code == 302
    klass.refresh_from_db()
    assert (klass.capacity, klass.venue) == (5, {"ja": "JII 目黒 活動室"})
    missing = client.post(f"/en/admin/hanamaru/class/{klass.pk}/change/", form | {"venue_ja": ""})
    assert "Please write it in each of these languages: Japanese" in missing.content.decode()
