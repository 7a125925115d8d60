"""The volunteers' confidentiality pledge: asked on the profile form, recorded with its version, required for
approval, and asked again when JII publishes a new version."""

import pytest
from django.core import mail

from jii.models import ConfidentialityPledge, VolunteerProfile
from jii.services import approve_volunteer, publish_text
from tests.factories import CoordinatorFactory, UserFactory, VolunteerFactory
from tests.jii.test_volunteers import profile_form

pytestmark = pytest.mark.django_db


def test_a_new_volunteer_agrees_to_the_pledge_before_the_profile_is_saved(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/en/volunteer/profile/").content.decode()
    assert "When the help ends, I delete their contact details, photos and notes." in page
    assert 'aria-describedby="pledge-text"' in page

    refused = client.post("/en/volunteer/profile/", profile_form(pledge=None)).content.decode()
    assert "Please tick the box to agree to the pledge." in refused and 'id="id_pledge_error"' in refused
    assert not VolunteerProfile.objects.exists()

    assert client.post("/en/volunteer/profile/", profile_form()).status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.pledge.version == 1 and profile.pledged_at is not None
    assert "pledge-text" not in client.get("/en/volunteer/profile/").content.decode()  # agreed: not asked again


def test_approval_refuses_a_volunteer_who_has_not_agreed_to_the_current_pledge(
    client, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory(groups=["coordinators"])
    agreed_to_the_old_one = VolunteerFactory(name="古い 誓約").volunteer_profile
    publish_text(ConfidentialityPledge, text={"ja": "第2版", "en": "Version two of the pledge."})
    never_agreed = VolunteerFactory(name="未 同意", profile__pledge=None).volunteer_profile
    agreed_now = VolunteerFactory(name="新しい 誓約").volunteer_profile
    assert not approve_volunteer(profile=never_agreed, approved_by=coordinator)

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/en/admin/jii/volunteerprofile/",
            {
                "action": "approve_selected",
                "_selected_action": [agreed_to_the_old_one.pk, never_agreed.pk, agreed_now.pk],
            },
            follow=True,
        )
    html = answer.content.decode()
    assert "1 volunteer approved." in html
    assert "古い 誓約" in html.split("Not approved:", 1)[1].split("</li>", 1)[0]
    assert list(VolunteerProfile.objects.filter(status="approved")) == [agreed_now]
    assert [message.to for message in mail.outbox] == [[agreed_now.user.email]]


def test_a_new_version_is_asked_for_on_the_volunteers_page(client):
    volunteer = VolunteerFactory(profile__status="approved")
    client.force_login(volunteer)
    assert "Please read the confidentiality pledge" not in client.get("/en/volunteer/").content.decode()

    second = publish_text(ConfidentialityPledge, text={"ja": "第2版", "en": "Version two of the pledge."})
    page = client.get("/en/volunteer/").content.decode()
    assert "Please read the confidentiality pledge" in page and "Version two of the pledge." in page
    stale = client.post("/en/volunteer/pledge/", {"version": "1"}, follow=True)  # an old page: not agreeing to v2
    assert "The pledge has just been updated. Please read it again below and agree." in stale.content.decode()
    assert volunteer.volunteer_profile.__class__.objects.get(user=volunteer).pledge.version == 1
    client.post("/en/volunteer/pledge/", {"version": "2"})
    assert VolunteerProfile.objects.get(user=volunteer).pledge == second
    assert "Please read the confidentiality pledge" not in client.get("/en/volunteer/").content.decode()
    assert ConfidentialityPledge.objects.count() == 2
