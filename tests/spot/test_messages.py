"""Every Spot message, as its reader gets it: to the right person, with its own subject and words, in that
person's language (English and Japanese for all, Vietnamese for a resident). A wrong template fails here."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from jii.models import Message
from spot.models import SpotRequest
from spot.services import accept_request, agree_date, cancel_request, mark_done, release_request
from spot.tasks import run_daily_spot_jobs
from tests.factories import CoordinatorFactory, SpotRequestFactory, approved_volunteer
from tests.spot.test_pages import request_form

pytestmark = pytest.mark.django_db

# template: {language: (subject, words only that template has)}
EXPECTED = {
    "spot_request_received": {
        "en": ("We received your Spot Otonari-san request", "is a volunteer who helps you once"),
        "ja": ("スポットおとなりさんのご依頼を受け付けました", "スポットおとなりさん"),
        "vi": ("Chúng tôi đã nhận được yêu cầu Spot Otonari-san của bạn", "Spot Otonari-san"),
    },
    "spot_accepted_resident": {
        "en": ("A volunteer will help you", "has taken your request and will contact you soon"),
        "ja": ("ボランティアがあなたをサポートします", "依頼を引き受けました"),
        "vi": ("Một tình nguyện viên sẽ giúp bạn", "đã nhận yêu cầu của bạn"),
    },
    "spot_assigned_volunteer": {
        "en": ("A coordinator asked you to help with a Spot request", "A JII coordinator has given you a Spot request"),
        "ja": ("コーディネーターからスポットおとなりさんの依頼のお願いです", "コーディネーター"),
    },
    "spot_released_resident": {
        "en": ("Your Spot request is open again", "cannot help after all"),
        "ja": ("依頼をもう一度受け付けています", "ボランティア"),
        "vi": ("Yêu cầu Spot của bạn đã được mở lại", "tình nguyện viên"),
    },
    "spot_cancelled_volunteer": {
        "en": ("A Spot request you took was cancelled", "has cancelled the request"),
        "ja": ("引き受けたスポットおとなりさんの依頼がキャンセルされました", "キャンセル"),
    },
    "spot_reminder_resident": {
        "en": ("Reminder: your volunteer helps you tomorrow", "will help you as agreed"),
        "ja": ("お知らせ：明日、ボランティアがあなたをサポートします", "明日"),
        "vi": ("Nhắc nhở: ngày mai tình nguyện viên sẽ giúp bạn", "Ngày mai"),
    },
    "spot_reminder_volunteer": {
        "en": ("Reminder: your Spot help is tomorrow", "The details are on the request page"),
        "ja": ("リマインダー：明日はスポットおとなりさんのサポートの日です", "明日"),
    },
    "spot_feedback_request": {
        "en": ("How did your Spot help go?", "We hope the help was useful"),
        "ja": ("スポットおとなりさんのサポートはいかがでしたか？", "OFP"),
        "vi": ("Lần hỗ trợ Spot của bạn thế nào?", "OFP"),
    },
}


def cases():
    return [(template, language) for template, languages in EXPECTED.items() for language in languages]


def the_email(template, address):
    """The one email this template sent to this address (its row says which template it was)."""
    message = Message.objects.get(template=template, state="sent")
    emails = [email for email in mail.outbox if email.to == [address]]
    assert len(emails) == 1, [email.subject for email in mail.outbox]
    return message, emails[0]


def check(template, language, address):
    message, email = the_email(template, address)
    subject, words = EXPECTED[template][language]
    assert email.subject == subject
    assert words in email.body
    assert message.language == language


@pytest.mark.parametrize(("template", "language"), cases())
def test_each_spot_message_in_the_readers_language(template, language, client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    volunteer = approved_volunteer()
    volunteer.user.language = language
    volunteer.user.save()
    if template == "spot_request_received":
        prefix = "/" if language == "ja" else f"/{language}/"
        with capture(execute=True):
            client.post(f"{prefix}spot/request/", request_form(email="lan@example.com"))
        check(template, language, "lan@example.com")
        return
    spot_request = SpotRequestFactory(resident__language=language)
    resident = spot_request.resident
    tomorrow = timezone.localdate() + timedelta(days=1)
    if template == "spot_accepted_resident":
        with capture(execute=True):
            accept_request(request=spot_request, volunteer=volunteer)
        return check(template, language, resident.email)
    if template == "spot_assigned_volunteer":
        with capture(execute=True):
            accept_request(request=spot_request, volunteer=volunteer, assigned_by=CoordinatorFactory())
        return check(template, language, volunteer.user.email)
    accept_request(request=spot_request, volunteer=volunteer)
    if template == "spot_released_resident":
        with capture(execute=True):
            release_request(request=spot_request, volunteer=volunteer, reason="ill")
        return check(template, language, resident.email)
    if template == "spot_cancelled_volunteer":
        with capture(execute=True):
            cancel_request(request=spot_request, resident=resident)
        return check(template, language, volunteer.user.email)
    if template.startswith("spot_reminder"):
        agree_date(request=spot_request, volunteer=volunteer, day=tomorrow)
        with capture(execute=True):
            run_daily_spot_jobs()
        reader = resident.email if template.endswith("resident") else volunteer.user.email
        return check(template, language, reader)
    assert template == "spot_feedback_request"
    mark_done(request=spot_request, volunteer=volunteer, report="ok", minutes_spent=30, follow_up_needed=False)
    SpotRequest.objects.filter(pk=spot_request.pk).update(done_at=timezone.now() - timedelta(days=2))
    with capture(execute=True):
        run_daily_spot_jobs()
    check(template, language, resident.email)


def test_the_escalation_names_request_numbers_for_the_coordinators_in_japanese(django_capture_on_commit_callbacks):
    old = SpotRequestFactory(created_at=timezone.now() - timedelta(hours=49))
    with django_capture_on_commit_callbacks(execute=True):
        run_daily_spot_jobs()
    [email] = mail.outbox
    assert email.to == [settings.COORDINATOR_EMAIL]
    assert "48時間" in email.subject and f"#{old.pk}" in email.body
    assert old.resident.name not in email.body and old.resident.email not in email.body


def test_a_message_no_longer_true_when_its_turn_comes_is_not_sent(django_capture_on_commit_callbacks):
    spot_request = SpotRequestFactory(resident__language="ja")
    volunteer = approved_volunteer()
    with django_capture_on_commit_callbacks(execute=False) as not_yet_sent:
        accept_request(request=spot_request, volunteer=volunteer)
        release_request(request=spot_request, volunteer=volunteer, reason="ill")  # before the worker got to it
    for callback in not_yet_sent:
        callback()
    states = dict(Message.objects.values_list("template", "state"))
    assert states == {"spot_accepted_resident": "obsolete", "spot_released_resident": "sent"}
    assert [email.subject for email in mail.outbox] == ["依頼をもう一度受け付けています"]
