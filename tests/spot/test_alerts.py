"""Spot alerts: when a request opens, the approved volunteers who fit it are told (without who asked or their
words), each as they chose; a wider second round after 24 hours; the daily digest; "already taken"."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jii.models import Area, Language, Message, User, VolunteerProfile
from jii.outbox import queue_waiting
from spot import services
from spot.models import Alert, SpotRequest
from spot.selectors import volunteers_who_fit
from spot.tasks import run_daily_spot_jobs
from tests.factories import CoordinatorFactory, SpotRequestFactory, approved_volunteer
from tests.jii.test_volunteers import profile_form

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_SATURDAY = TODAY + timedelta(days=(5 - TODAY.weekday()) % 7 or 7)


def saturday_request(**fields):
    """In person in Meguro, English, healthcare, on the next Saturday only."""
    fields = {"modes": ["in_person"], "earliest": NEXT_SATURDAY, "latest": NEXT_SATURDAY, **fields}
    return SpotRequestFactory(**fields)


def volunteer(status="approved", **profile):
    """Fits saturday_request() unless told otherwise: Meguro, English conversational, free Saturday afternoons."""
    profile.setdefault("spot_categories", ["healthcare"])
    made = approved_volunteer(**profile)
    if status != "approved":
        VolunteerProfile.objects.filter(pk=made.pk).update(status=status)
    return made


FIT_TABLE = [
    ("fits", {}, True),
    ("neighbouring area (Shibuya)", {"area": "tokyo-shibuya"}, True),
    ("far area (Hachioji)", {"area": "tokyo-hachioji"}, False),
    ("another help area", {"spot_categories": ["children", "welfare"]}, False),
    ("no Spot help areas", {"spot_categories": []}, False),
    ("no shared language", {"languages": (("ja", "native"), ("zh", "fluent"))}, False),
    ("the language at a basic level only", {"languages": (("ja", "native"), ("en", "basic"))}, False),
    ("free only on Mondays", {"availability": ["mon:morning", "mon:evening"]}, False),
    ("no availability given", {"availability": []}, False),
    ("waiting for approval", {"status": "pending"}, False),
    ("suspended", {"status": "suspended"}, False),
]


@pytest.mark.parametrize(("case", "profile", "fits"), FIT_TABLE, ids=[row[0] for row in FIT_TABLE])
def test_who_fits_a_request(case, profile, fits):
    candidate = volunteer(**profile)
    volunteer(spot_categories=["children"])  # never fits: another help area
    assert (candidate in volunteers_who_fit(saturday_request())) is fits


def test_online_help_reaches_the_prefecture_and_a_flexible_request_any_free_day():
    far = volunteer(area="tokyo-hachioji")
    mondays = volunteer(availability=["mon:morning"])
    chiba = volunteer(area="chiba-narita")
    assert volunteers_who_fit(saturday_request(modes=["online"])) == [far]
    assert mondays in volunteers_who_fit(saturday_request(earliest=None, latest=None))
    assert mondays in volunteers_who_fit(saturday_request(earliest=TODAY, latest=TODAY + timedelta(days=8)))
    assert chiba not in volunteers_who_fit(saturday_request(modes=["online"]))


def test_the_wider_round_reaches_neighbouring_prefectures_and_anyone_for_online_help():
    hachioji = volunteer(area="tokyo-hachioji")
    yokohama = volunteer(area="kanagawa-yokohama-totsuka")
    kawagoe = volunteer(area="saitama-kawagoe")
    assert volunteers_who_fit(saturday_request()) == []
    assert volunteers_who_fit(saturday_request(), wider=True) == [hachioji, yokohama, kawagoe]
    spot_request = saturday_request(area=Area.objects.get(code="kanagawa-fujisawa"))
    assert volunteers_who_fit(spot_request, wider=True) == [hachioji, yokohama]  # Saitama does not border it
    assert volunteers_who_fit(saturday_request(modes=["online"], area=spot_request.area), wider=True) == [
        hachioji,
        yokohama,
        kawagoe,
    ]


def test_a_new_request_alerts_exactly_the_volunteers_who_fit_without_who_asked(django_capture_on_commit_callbacks):
    fits, neighbour = volunteer(), volunteer(area="tokyo-shibuya")
    volunteer(area="tokyo-hachioji")
    volunteer(languages=(("ja", "native"),))
    User.objects.filter(pk__in=[fits.user_id, neighbour.user_id]).update(language="en")  # to read it below
    english = Language.objects.get(code="en")
    with django_capture_on_commit_callbacks(execute=True):
        spot_request = services.submit_request(
            email="olena@example.com",
            language="en",
            resident_details={"name": "Olena Kovalenko", "phone": "090-1111-2222"},
            languages=[english],
            category="healthcare",
            topic="find_clinic",
            description="My daughter Sofiia has a rash since Tuesday",
            modes=["in_person"],
            area=Area.objects.get(code="tokyo-meguro"),
            earliest=NEXT_SATURDAY,
            latest=NEXT_SATURDAY,
            urgency=3,
        )
    alerts = [email for email in mail.outbox if email.to != ["olena@example.com"]]
    assert sorted(email.to[0] for email in alerts) == sorted([fits.user.email, neighbour.user.email])
    for email in alerts:
        assert email.subject == "A new Spot request fits you: Healthcare, Meguro"
        html = email.alternatives[0][0]
        for text in (email.subject, email.body, html):
            for secret in ("Olena", "Kovalenko", "olena@example.com", "090-1111-2222", "Sofiia", "rash", "Tuesday"):
                assert secret not in text
        assert f"/en/spot/board/{spot_request.pk}/" in email.body
        assert "Urgent" in email.body and "Tokyo Meguro" in email.body
    assert SpotRequest.objects.get().alerted_at is not None
    # Run again (the periodic job, a second task): nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alert_volunteers(spot_request.pk) == 0
        run_daily_spot_jobs()
    assert len(mail.outbox) == 3


def test_each_volunteer_gets_alerts_as_they_chose_and_at_most_n_a_day(settings, django_capture_on_commit_callbacks):
    settings.SPOT_ALERTS_PER_DAY = 2
    every = volunteer()
    digest = volunteer(spot_alerts="digest")
    volunteer(spot_alerts="none")
    requests = [saturday_request() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for spot_request in requests:
            services.alert_volunteers(spot_request.pk)
    assert [email.to for email in mail.outbox] == [[every.user.email]] * 2
    assert Alert.objects.filter(volunteer=every, digest=True).get().request == requests[2]
    assert Alert.objects.filter(volunteer=digest, digest=True).count() == 3
    mail.outbox.clear()
    requests[1].status = SpotRequest.Status.CANCELLED  # gone meanwhile: not in the digest
    requests[1].save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(timezone.now()) == 2
    by_address = {email.to[0]: email for email in mail.outbox}
    assert (
        by_address[every.user.email].subject == "あなたに合う受付中の依頼が1件あります"
    )  # in Japanese, the volunteers' language
    assert by_address[digest.user.email].subject == "あなたに合う受付中の依頼が2件あります"
    body = by_address[digest.user.email].body
    assert f"/spot/board/{requests[0].pk}/" in body and f"/spot/board/{requests[1].pk}/" not in body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(timezone.now()) == 0  # once a day
    assert len(mail.outbox) == 2


def tokyo(hour, minute=0, days=0):
    return timezone.make_aware(datetime.combine(TODAY + timedelta(days=days), time(hour, minute)))


QUIET_TABLE = [
    # quiet from, until, now → when alerts may go again (None: at once)
    ((22, 0), (7, 0), tokyo(21, 59), None),
    ((22, 0), (7, 0), tokyo(22, 0), tokyo(7, days=1)),
    ((22, 0), (7, 0), tokyo(23, 30), tokyo(7, days=1)),
    ((22, 0), (7, 0), tokyo(3, 15), tokyo(7)),
    ((22, 0), (7, 0), tokyo(7, 0), None),
    ((12, 0), (13, 30), tokyo(12, 45), tokyo(13, 30)),
    ((12, 0), (13, 30), tokyo(14, 0), None),
    ((12, 0), (13, 30), tokyo(9, 0), None),
]


@pytest.mark.parametrize(("start", "end", "now", "ends_at"), QUIET_TABLE)
def test_quiet_hours_end_when_the_volunteer_said_even_past_midnight(start, end, now, ends_at):
    profile = VolunteerProfile(quiet_from=time(*start), quiet_until=time(*end))
    assert profile.quiet_ends_at(now) == ends_at
    assert VolunteerProfile().quiet_ends_at(now) is None  # no quiet hours chosen


def test_an_alert_in_quiet_hours_waits_until_they_end(django_capture_on_commit_callbacks):
    now = timezone.localtime()
    # Quiet from an hour ago to two hours from now, in Tokyo time, whatever the time the test runs.
    sleepy = volunteer(quiet_from=(now - timedelta(hours=1)).time(), quiet_until=(now + timedelta(hours=2)).time())
    awake = volunteer()
    spot_request = saturday_request()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alert_volunteers(spot_request.pk, now=now) == 2
        queue_waiting()  # the minute's sweep leaves the waiting alert alone
    assert [email.to for email in mail.outbox] == [[awake.user.email]]
    waiting = Message.objects.get(user=sleepy.user)
    assert waiting.state == Message.State.QUEUED
    assert waiting.next_attempt_at + timedelta(minutes=2) == sleepy.quiet_ends_at(now)
    # Two hours and a few minutes later (the clock moved: the message's time is moved back instead).
    Message.objects.filter(pk=waiting.pk).update(
        next_attempt_at=waiting.next_attempt_at - timedelta(hours=2, minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_waiting() == 1
    assert mail.outbox[-1].to == [sleepy.user.email]
    assert mail.outbox[-1].subject == mail.outbox[0].subject


def test_a_daily_digest_in_quiet_hours_waits_too(django_capture_on_commit_callbacks):
    now = timezone.localtime()
    sleepy = volunteer(
        spot_alerts="digest",
        quiet_from=(now - timedelta(hours=1)).time(),
        quiet_until=(now + timedelta(hours=2)).time(),
    )
    services.alert_volunteers(saturday_request().pk, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(now) == 1
    assert mail.outbox == []
    assert Message.objects.get(user=sleepy.user, template="spot_alert_digest").next_attempt_at > now


def test_an_alert_for_a_request_taken_before_it_is_sent_is_dropped(django_capture_on_commit_callbacks):
    fits, other = volunteer(), volunteer()
    spot_request = saturday_request()
    services.alert_volunteers(spot_request.pk)  # written, not yet delivered
    services.accept_request(request=spot_request, volunteer=other)
    from jii.outbox import deliver

    for message in Message.objects.filter(template="spot_alert"):
        assert deliver(message.pk) == Message.State.OBSOLETE
    assert not any(fits.user.email in email.to for email in mail.outbox)


def test_after_24_hours_a_wider_round_goes_out_once_before_the_escalation(django_capture_on_commit_callbacks):
    near = volunteer()
    wider = volunteer(area="kanagawa-yokohama-totsuka")
    spot_request = saturday_request(created_at=timezone.now() - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_volunteers(spot_request.pk)
        assert run_daily_spot_jobs()["wider_round"] == 0
    assert [email.to for email in mail.outbox] == [[near.user.email]]
    SpotRequest.objects.filter(pk=spot_request.pk).update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        jobs = run_daily_spot_jobs()
    assert (jobs["wider_round"], jobs["escalated"]) == (1, 0)
    assert [email.to for email in mail.outbox] == [[near.user.email], [wider.user.email]]
    assert Alert.objects.get(volunteer=wider).round == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert run_daily_spot_jobs()["wider_round"] == 0
    assert len(mail.outbox) == 2


def test_a_request_taken_meanwhile_says_so_on_its_board_entry(client, django_assert_num_queries):
    me, other = volunteer(), volunteer()
    spot_request = saturday_request()
    client.force_login(me.user)
    # session, user, profile, whether they may help (jii/readiness.py), the request with its area, its languages
    with django_assert_num_queries(6):
        page = client.get(f"/en/spot/board/{spot_request.pk}/").content.decode()
    assert "I can help — accept" in page and spot_request.description not in page
    services.accept_request(request=spot_request, volunteer=other)
    page = client.get(f"/en/spot/board/{spot_request.pk}/").content.decode()
    assert "already been taken by another volunteer" in page and "I can help — accept" not in page
    client.force_login(other.user)
    assert client.get(f"/en/spot/board/{spot_request.pk}/")["Location"] == f"/en/spot/requests/{spot_request.pk}/"


def test_the_volunteer_chooses_their_alerts_on_their_profile(client):
    me = volunteer()
    client.force_login(me.user)
    page = client.get("/en/volunteer/profile/").content.decode()
    assert "Once a day, a list of the requests that fit me" in page
    form = profile_form(spot_alerts="digest")
    assert client.post("/en/volunteer/profile/", form).status_code == 302
    me.refresh_from_db()
    assert me.spot_alerts == "digest"
    del form["spot_alerts"]
    client.post("/en/volunteer/profile/", form)
    me.refresh_from_db()
    assert me.spot_alerts == "digest"  # a form without the choice leaves it as it was


@pytest.mark.parametrize(
    ("quiet_from", "quiet_until", "field", "error"),
    [
        ("22:00", "", "quiet_until", "Give both times, or leave both empty for no quiet hours."),
        ("", "07:00", "quiet_from", "Give both times, or leave both empty for no quiet hours."),
        ("22:00", "22:00", "quiet_until", "The quiet hours must end at another time."),
        ("25:00", "07:00", "quiet_from", "Enter a valid time."),
    ],
)
def test_quiet_hours_that_make_no_sense_get_an_error_on_their_field(client, quiet_from, quiet_until, field, error):
    me = volunteer()
    client.force_login(me.user)
    response = client.post("/en/volunteer/profile/", profile_form(quiet_from=quiet_from, quiet_until=quiet_until))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_volunteer_sets_quiet_hours_on_their_profile(client):
    me = volunteer()
    client.force_login(me.user)
    page = client.get("/en/volunteer/profile/").content.decode()
    assert "Quiet hours" in page and 'type="time"' in page
    assert (
        client.post("/en/volunteer/profile/", profile_form(quiet_from="22:00", quiet_until="07:30")).status_code == 302
    )
    me.refresh_from_db()
    assert (me.quiet_from, me.quiet_until) == (time(22, 0), time(7, 30))
    assert 'value="22:00"' in client.get("/en/volunteer/profile/").content.decode()
    client.post("/en/volunteer/profile/", profile_form(quiet_from="", quiet_until=""))
    me.refresh_from_db()
    assert (me.quiet_from, me.quiet_until) == (None, None)


def test_the_figures_count_alerted_then_accepted_and_the_wait_with_and_without_alerts(client):
    volunteer()  # told about both, took neither
    alerted_two = volunteer(area="tokyo-shibuya")
    outsider = volunteer(area="tokyo-hachioji")
    taken, left = saturday_request(), saturday_request()
    before_alerts = saturday_request(created_at=timezone.now() - timedelta(hours=10))
    for spot_request in (taken, left):
        services.alert_volunteers(spot_request.pk)
    services.accept_request(request=taken, volunteer=alerted_two)
    services.accept_request(request=before_alerts, volunteer=outsider)
    client.force_login(CoordinatorFactory())
    html = client.get("/en/admin/spot/spotrequest/figures/").content.decode()
    assert 'id="spot-alerted">4<' in html  # two volunteers for each of two requests
    assert 'id="spot-alerted-accepted">50.0%<' in html
    assert 'id="spot-median-with-alerts">0.0<' in html
    assert 'id="spot-median-without-alerts">10.0<' in html
