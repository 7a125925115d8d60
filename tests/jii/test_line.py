"""LINE as a second channel: a resident (or a volunteer) links LINE by sending JII's account the one-time code
from their page; from then on their messages go to LINE in their language, with email as the fallback; they can
stop. The webhook bodies are LINE's own shape, signed as LINE signs them; the push and reply APIs are patched
at the SDK's boundary, and what we hand them is the SDK's own typed request."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from linebot.v3.messaging import MessagingApi, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from jii.models import LineLink, LineLinkCode, Message
from jii.services import send_status_link, start_line_link
from jii.status_links import make_token
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

SECRET = "line-channel-secret-test"
LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"
WEBHOOK = "/line/webhook/"


@pytest.fixture
def line_account(settings):
    settings.LINE_CHANNEL_SECRET = SECRET
    settings.LINE_CHANNEL_ACCESS_TOKEN = "line-access-token-test"
    settings.LINE_BOT_ID = "@123abcde"


@pytest.fixture
def line_api():
    """The SDK's push and reply calls, stopped at the boundary: the requests they were handed."""
    with (
        mock.patch.object(MessagingApi, "push_message") as push,
        mock.patch.object(MessagingApi, "reply_message") as reply,
    ):
        yield push, reply


def event(kind: str = "message", *, text: str | None = None, user: str = LINE_USER, **extra) -> dict:
    shaped = {
        "type": kind,
        "webhookEventId": "01H810YECXQQZ37VAXPF6H9E6T",
        "deliveryContext": {"isRedelivery": False},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "replyToken": "38ef843bde154d9b91c21320ffd17a0f",
        "mode": "active",
        **extra,
    }
    if text is not None:
        shaped["message"] = {"type": "text", "id": "468789577898262530", "quoteToken": "q3Plxr4AgKd", "text": text}
    if kind == "unfollow":
        del shaped["replyToken"]
    if kind == "follow":
        shaped["follow"] = {"isUnblocked": False}
    return shaped


def post(client, *events, secret=SECRET, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps({"destination": "Uf00dbeef", "events": list(events)}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(WEBHOOK, body, content_type="application/json", headers={"X-Line-Signature": signature})


def replied(reply) -> str:
    [call] = reply.call_args_list
    request = call.args[0]
    assert isinstance(request, ReplyMessageRequest) and request.reply_token == "38ef843bde154d9b91c21320ffd17a0f"
    return request.messages[0].text


def test_without_line_settings_nothing_about_line_is_offered(client, resident):
    page = client.get(f"/en/status/{make_token(resident)}/").content.decode()
    assert "LINE" not in page
    assert post(client, event(text="ABC123")).status_code == 404


def test_a_resident_links_line_with_the_code_from_the_status_page(client, resident, line_account, line_api):
    resident.language = "vi"
    resident.save()
    token = make_token(resident)
    page = client.get(f"/vi/status/{token}/").content.decode()
    assert "Nhận tin nhắn qua LINE" in page  # the button, in the reader's language
    response = client.post("/vi/status/line/", {"token": token})
    assert (response.status_code, response["Location"]) == (302, f"/vi/status/{token}/#line")
    code = LineLinkCode.objects.get(resident=resident).code
    page = client.get(f"/vi/status/{token}/").content.decode()
    assert code in page
    assert "https://line.me/R/ti/p/%40123abcde" in page
    assert f"https://line.me/R/oaMessage/%40123abcde/?{code}" in page

    _push, reply = line_api
    assert post(client, event(text=f" {code.lower()} ")).status_code == 200  # typed on a phone: any case, spaces
    link = LineLink.objects.get()
    assert (link.line_user_id, link.resident) == (LINE_USER, resident)
    assert not LineLinkCode.objects.exists()  # used once
    assert replied(reply) == "Từ nay bạn sẽ nhận tin nhắn của JII qua LINE tại đây. Để dừng, hãy gửi STOP."
    assert "Bạn đang nhận tin nhắn của JII qua LINE." in client.get(f"/vi/status/{token}/").content.decode()


def test_once_linked_messages_go_to_line_in_the_residents_language(
    resident, line_account, line_api, django_capture_on_commit_callbacks
):
    resident.language = "uk"
    resident.save()
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    push, _reply = line_api
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)

    [call] = push.call_args_list
    request = call.args[0]
    assert isinstance(request, PushMessageRequest) and request.to == LINE_USER
    text = request.messages[0].text
    assert text.startswith("Ваша особиста сторінка статусу JII\n\n")
    assert f"/uk/status/{make_token(resident)}/" in text
    message = Message.objects.get()
    assert (message.state, message.channel) == ("sent", "line")
    assert call.kwargs["x_line_retry_key"] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"jii-message:{message.once_key}"))
    assert mail.outbox == []  # LINE instead of email


def test_when_line_refuses_the_message_goes_by_email(
    resident, line_account, line_api, django_capture_on_commit_callbacks
):
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    push, _reply = line_api
    push.side_effect = ApiException(status=400, reason="Bad Request")
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    assert Message.objects.get().channel == "email"
    assert mail.outbox[0].to == [resident.email]


def test_a_wrong_or_expired_code_is_refused_without_saying_whose_it_might_be(client, resident, line_account, line_api):
    _push, reply = line_api
    code = start_line_link(resident=resident)
    LineLinkCode.objects.filter(pk=code.pk).update(expires_at=timezone.now())
    for text in (code.code, "ZZZZZZ", "hello, I need help"):
        reply.reset_mock()
        assert post(client, event(text=text)).status_code == 200
        answer = replied(reply)
        assert "コード" in answer and "send us the code" in answer  # Japanese and English, whoever asks
    assert not LineLink.objects.exists()


def test_a_bad_signature_gets_400_and_writes_nothing(client, resident, line_account, line_api):
    code = start_line_link(resident=resident).code
    assert post(client, event(text=code), secret="someone-else").status_code == 400
    body = json.dumps({"destination": "Uf00dbeef", "events": [event(text=code)]})
    assert client.post(WEBHOOK, body, content_type="application/json").status_code == 400  # no signature at all
    assert not LineLink.objects.exists() and LineLinkCode.objects.exists()
    assert line_api[1].call_count == 0


def test_unknown_and_malformed_events_are_acknowledged_and_ignored(client, line_account, line_api):
    assert post(client, event("videoPlayComplete", videoPlayComplete={"trackingId": "t"})).status_code == 200
    assert post(client, event("message", message={"type": "sticker", "id": "1", "packageId": "1"})).status_code == 200
    assert post(client, raw=b"not json at all").status_code == 200
    assert post(client, raw=b'{"destination": "U1"}').status_code == 200
    assert line_api[1].call_count == 0 and not LineLink.objects.exists()


def test_following_the_account_gets_the_explanation(client, line_account, line_api):
    assert post(client, event("follow")).status_code == 200
    assert "STOP" in replied(line_api[1])


def test_stop_or_unfollow_ends_line_messages_and_email_comes_back(
    client, resident, line_account, line_api, django_capture_on_commit_callbacks
):
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    post(client, event(text="STOP"))
    assert not LineLink.objects.exists()
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    assert post(client, event("unfollow")).status_code == 200
    assert not LineLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    assert mail.outbox[0].to == [resident.email] and line_api[0].call_count == 0


def test_a_resident_stops_line_from_the_status_page(client, resident, line_account):
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    token = make_token(resident)
    client.post("/en/status/line/", {"stop": "1", "token": token})
    assert not LineLink.objects.exists()
    assert "Get updates on LINE" in client.get(f"/en/status/{token}/").content.decode()


def test_a_volunteer_links_line_from_their_page(client, line_account, line_api):
    volunteer = VolunteerFactory(profile__status="approved", language="ja")
    client.force_login(volunteer)
    assert "LINEで受け取る" in client.get("/volunteer/").content.decode()
    client.post("/volunteer/line/")
    code = LineLinkCode.objects.get(user=volunteer).code
    post(client, event(text=code))
    assert LineLink.objects.get().user == volunteer
    assert "LINE" in replied(line_api[1])


def test_one_line_account_belongs_to_one_person(client, resident, line_account, line_api):
    other = VolunteerFactory(profile__status="approved")
    LineLink.objects.create(line_user_id=LINE_USER, user=other)
    post(client, event(text=start_line_link(resident=resident).code))
    assert list(LineLink.objects.values_list("resident", "user")) == [(resident.pk, None)]


def test_the_line_panel_is_valid_html_in_every_state_and_script(client, resident, line_account):
    from tests.page_checks import nu_errors

    token = make_token(resident)
    pages = {"button (uk)": client.get(f"/uk/status/{token}/").content.decode()}
    client.post("/fa-af/status/line/", {"token": token})
    pages["code (fa-af)"] = client.get(f"/fa-af/status/{token}/").content.decode()
    LineLink.objects.create(line_user_id=LINE_USER, resident=resident)
    pages["linked (ja-easy)"] = client.get(f"/ja-easy/status/{token}/").content.decode()
    assert nu_errors(pages) == {}
