"""Volunteer profiles, approval by a coordinator, and what a pending volunteer may see."""

import pytest
from django.core import mail

from jii.models import Area, Message, VolunteerProfile
from jii.services import approve_volunteer
from jii.tasks import deliver_message
from tests.factories import PASSWORD, CoordinatorFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def profile_form(**changes):
    data = {
        "name": "佐藤 春香",
        "given_name_latin": "Haruka",
        "phone": "090-0000-1111",
        "gender": "female",
        "area": Area.objects.get(code="tokyo-meguro").pk,
        "nearest_station": "学芸大学",
        "language_ja": "native",
        "language_en": "conversational",
        "availability": ["sat:morning", "sun:afternoon"],
        "experience": ["raising_children"],
        "interests": ["cooking"],
        "spot_categories": ["children", "healthcare"],
        "about": "",
        "pledge": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_new_volunteer_fills_in_a_profile_that_then_waits_for_approval(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/volunteer/").url == "/volunteer/profile/"

    response = client.post("/volunteer/profile/", profile_form())
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.status == VolunteerProfile.Status.PENDING
    assert profile.availability == ["sat:morning", "sun:afternoon"]
    assert sorted(profile.languages.values_list("language__code", "level")) == [
        ("en", "conversational"),
        ("ja", "native"),
    ]
    user.refresh_from_db()
    assert (user.name, user.given_name_latin) == ("佐藤 春香", "Haruka")


def test_missing_fields_are_reported_next_to_the_field_in_the_users_language(client):
    client.force_login(UserFactory())
    response = client.post("/en/volunteer/profile/", profile_form(nearest_station="", language_ja="", language_en=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-describedby="id_nearest_station_error"' in html
    assert "This field is required." in html
    assert "Tell us at least one language you speak" in html
    assert 'aria-describedby="id_language_ja_error"' in html
    assert not VolunteerProfile.objects.exists()

    response = client.post("/volunteer/profile/", profile_form(nearest_station=""))
    assert "このフィールドは必須です。" in response.content.decode()


def test_an_unknown_availability_slot_is_an_error_not_a_crash(client):
    client.force_login(UserFactory())
    response = client.post("/en/volunteer/profile/", profile_form(availability=["someday:never"]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_editing_an_approved_profile_keeps_it_approved(client, approved_volunteer):
    client.force_login(approved_volunteer)
    client.post("/volunteer/profile/", profile_form(nearest_station="中目黒", language_en=""))
    profile = approved_volunteer.volunteer_profile
    profile.refresh_from_db()
    assert profile.status == VolunteerProfile.Status.APPROVED
    assert profile.nearest_station == "中目黒"
    assert list(profile.languages.values_list("language__code", flat=True)) == ["ja"]


def test_a_pending_volunteer_can_log_in_but_sees_no_resident_data(client, pending_volunteer, resident):
    assert client.login(email=pending_volunteer.email, password=PASSWORD)
    response = client.get("/en/volunteer/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for approval" in html
    assert resident.name not in html
    assert resident.email not in html
    # …and the admin, where residents live, is closed to volunteers.
    assert client.get("/admin/jii/resident/").status_code == 302


def test_approving_emails_the_volunteer_in_their_language(django_capture_on_commit_callbacks):
    coordinator = CoordinatorFactory()
    english = VolunteerFactory(language="en").volunteer_profile
    japanese = VolunteerFactory(language="ja").volunteer_profile

    with django_capture_on_commit_callbacks(execute=True):
        assert approve_volunteer(profile=english, approved_by=coordinator)
        assert approve_volunteer(profile=japanese, approved_by=coordinator)

    english.refresh_from_db()
    assert english.status == VolunteerProfile.Status.APPROVED
    assert english.approved_by == coordinator
    sent = {message.to[0]: message for message in mail.outbox}
    assert sent[english.user.email].subject == "You are now an approved JII volunteer"
    assert "承認" in sent[japanese.user.email].subject
    html, mimetype = sent[english.user.email].alternatives[0]
    assert mimetype == "text/html"
    assert "/en/volunteer/" in html


def test_a_redelivered_approval_task_does_not_email_twice(django_capture_on_commit_callbacks):
    profile = VolunteerFactory().volunteer_profile
    with django_capture_on_commit_callbacks(execute=True):
        approve_volunteer(profile=profile, approved_by=CoordinatorFactory())
    message = Message.objects.get(user=profile.user)
    assert deliver_message(message.pk) == ""  # as if the broker delivered the task again: nothing more is sent
    with django_capture_on_commit_callbacks(execute=True):
        assert approve_volunteer(profile=profile, approved_by=CoordinatorFactory()) is False
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.template, message.state, message.attempts) == ("volunteer_approved", "sent", 1)


def test_names_in_the_text_email_are_not_html_escaped(django_capture_on_commit_callbacks):
    profile = VolunteerFactory(name="Siobhán O'Brien & Co", language="en").volunteer_profile
    with django_capture_on_commit_callbacks(execute=True):
        approve_volunteer(profile=profile, approved_by=CoordinatorFactory())
    assert "Dear Siobhán O'Brien & Co," in mail.outbox[0].body
    assert "O&#x27;Brien &amp; Co" in mail.outbox[0].alternatives[0][0]


def test_approving_twice_sends_one_email(django_capture_on_commit_callbacks):
    coordinator = CoordinatorFactory()
    profile = VolunteerFactory().volunteer_profile
    with django_capture_on_commit_callbacks(execute=True):
        assert approve_volunteer(profile=profile, approved_by=coordinator)
        assert not approve_volunteer(profile=profile, approved_by=coordinator)
    assert len(mail.outbox) == 1


def test_the_admin_action_approves_the_selected_volunteers(client, django_capture_on_commit_callbacks):
    coordinator = CoordinatorFactory()
    waiting = [VolunteerFactory().volunteer_profile for _ in range(2)]
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/admin/jii/volunteerprofile/",
            {"action": "approve_selected", "_selected_action": [profile.pk for profile in waiting]},
            follow=True,
        )
    assert "2 volunteers approved." in response.content.decode()
    assert VolunteerProfile.objects.filter(status="approved").count() == 2
    assert len(mail.outbox) == 2


def test_staff_without_the_approval_permission_cannot_approve(client):
    donations_staff = CoordinatorFactory(groups=["donations staff"])
    profile = VolunteerFactory().volunteer_profile
    client.force_login(donations_staff)
    response = client.post(
        "/en/admin/jii/volunteerprofile/", {"action": "approve_selected", "_selected_action": [profile.pk]}
    )
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.status == VolunteerProfile.Status.PENDING


def test_a_name_in_japanese_script_asks_for_the_given_name_in_latin_letters_too(client):
    client.force_login(UserFactory())
    missing = client.post("/en/volunteer/profile/", profile_form(given_name_latin="")).content.decode()
    assert "Please write your given name in Latin letters too." in missing
    wrong = client.post("/en/volunteer/profile/", profile_form(given_name_latin="はるか")).content.decode()
    assert "Please use Latin letters only (a–z)." in wrong
    assert not VolunteerProfile.objects.exists()
    assert client.post("/en/volunteer/profile/", profile_form(given_name_latin="Yūki")).status_code == 302  # rōmaji
    VolunteerProfile.objects.all().delete()
    latin_name = client.post("/en/volunteer/profile/", profile_form(name="Emily Johnson", given_name_latin=""))
    assert latin_name.status_code == 302  # a name in Latin letters needs nothing more


def test_residents_who_do_not_read_japanese_see_the_latin_given_name_first():
    from django.utils import translation

    volunteer = UserFactory(name="佐藤 春香", given_name_latin="Haruka")
    seen = {}
    for language in ("ja", "ja-easy", "en", "vi", "fa-af"):
        with translation.override(language):
            seen[language] = (volunteer.given_name_for_reader(), volunteer.name_for_reader())
    assert seen == {
        "ja": ("春香", "佐藤 春香"),
        "ja-easy": ("春香", "佐藤 春香"),
        "en": ("Haruka (春香)", "Haruka (佐藤 春香)"),
        "vi": ("Haruka (春香)", "Haruka (佐藤 春香)"),
        "fa-af": ("Haruka (春香)", "Haruka (佐藤 春香)"),
    }
    with translation.override("en"):
        assert UserFactory(name="佐藤 健二").given_name_for_reader() == "健二"  # not given yet: as written
