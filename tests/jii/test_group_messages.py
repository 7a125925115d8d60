"""A coordinator's message to a group of volunteers: chosen, previewed with the number who will get it, sent
through the outbox to exactly the group, each once (a double submit too), in each reader's language when it was
written in it, and kept in a log of who sent what to how many."""

import html
import re
import uuid
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection
from django.utils import timezone
from linebot.v3.messaging import MessagingApi

from hanamaru.models import TutorSignup
from jii import audiences
from jii.models import Area, GroupMessage, Insurance, Language, LineLink, Message
from jii.readiness import insurance_year
from jii.services import send_group_message
from tests.factories import CoordinatorFactory, VolunteerFactory, approved_volunteer
from tests.hanamaru.conftest import klass, session_in  # noqa: F401  (a class with sessions)
from tests.race import race

pytestmark = pytest.mark.django_db

SEND = "/en/admin/jii/groupmessage/send/"
JAPANESE = {"subject_ja": "今月の研修について", "body_ja": "皆さま\n今月の研修は土曜日です。"}
ENGLISH = {"subject_en": "This month's training", "body_en": "Hello all,\nthis month's training is on Saturday."}


def volunteer(email, *, language="ja", status="approved", area="tokyo-meguro", **profile):
    user = VolunteerFactory(
        email=email,
        language=language,
        profile__status=status,
        profile__area=Area.objects.get(code=area),
        **{f"profile__{name}": value for name, value in profile.items()},
    )
    return user.volunteer_profile


def tutor(session, profile, *, withdrawn=False):
    return TutorSignup.objects.create(
        session=session, volunteer=profile, withdrawn_at=timezone.now() if withdrawn else None
    )


@pytest.fixture
def coordinator_client(client):
    coordinator = CoordinatorFactory(name="木村 由美")
    client.force_login(coordinator)
    client.coordinator = coordinator
    return client


@pytest.fixture
def class_with_tutors(klass):  # noqa: F811
    """Three tutors of the class's coming sessions, and five who are not to be written to."""
    other = type(klass).objects.get(pk=klass.pk)
    other.pk, other.name = None, {"ja": "はなまるクラス 品川", "en": "Hanamaru class Shinagawa"}
    other.save()
    soon, later, past = session_in(klass, days=3), session_in(klass, days=10), session_in(klass, days=-7)
    aiko, kenji, mai = volunteer("aiko@example.jp"), volunteer("kenji@example.jp"), volunteer("mai@example.jp")
    tutor(soon, aiko)
    tutor(later, aiko)  # two sessions, one message
    tutor(soon, kenji)
    tutor(later, mai)
    tutor(soon, volunteer("withdrew@example.jp"), withdrawn=True)
    tutor(session_in(other, days=3), volunteer("other-class@example.jp"))
    tutor(soon, volunteer("suspended@example.jp", status="suspended"))
    tutor(past, volunteer("last-term@example.jp"))
    return klass


def compose(klass, token, **fields):  # noqa: F811
    return {"token": str(token), "group": f"class_tutors:{klass.pk}", **JAPANESE, **fields}


def test_a_class_message_reaches_exactly_its_tutors_once_even_when_sent_twice(
    coordinator_client, class_with_tutors, django_capture_on_commit_callbacks
):
    client = coordinator_client
    form = client.get(SEND).content.decode()
    assert "Tutors of a Hanamaru class" in form and "Hanamaru class Meguro" in form

    token = uuid.uuid4()
    fields = compose(class_with_tutors, token)
    preview = client.post(SEND, {**fields, "preview": "Preview"}).content.decode()
    assert "This will go to 3 volunteers." in preview
    assert "今月の研修は土曜日です。" in preview and "Send to 3 volunteers" in preview
    assert not GroupMessage.objects.exists() and not Message.objects.exists()  # a preview sends nothing

    # The Send button posts the preview's words as they were shown (a browser sends line breaks as CRLF).
    send_form = preview[preview.index('name="send"') - 3000 : preview.index('name="send"')]
    hidden = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', send_form)
    }
    assert hidden["body_ja"] == "皆さま\n今月の研修は土曜日です。" and hidden["token"] == str(token)
    hidden = {**hidden, "body_ja": hidden["body_ja"].replace("\n", "\r\n"), "send": "Send"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(SEND, hidden, follow=True)
        again = client.post(SEND, hidden, follow=True)  # a double click, a second tab

    assert "Sent to 3 volunteers." in first.content.decode()
    assert "This message was sent already" in again.content.decode()
    sent = GroupMessage.objects.get()
    assert sent.recipients == 3
    assert sorted(message.to[0] for message in mail.outbox) == ["aiko@example.jp", "kenji@example.jp", "mai@example.jp"]
    assert {message.subject for message in mail.outbox} == {"今月の研修について"}
    assert "皆さま\n今月の研修は土曜日です。" in mail.outbox[0].body
    assert Message.objects.filter(template="group_message", state="sent").count() == 3


def test_the_log_keeps_who_sent_what_to_how_many(coordinator_client, class_with_tutors):
    client = coordinator_client
    client.post(SEND, {**compose(class_with_tutors, uuid.uuid4()), "send": "Send"})
    sent = GroupMessage.objects.get()
    assert sent.sent_by == client.coordinator
    assert sent.description == "Tutors of a Hanamaru class: Hanamaru class Meguro"
    assert (sent.audience, sent.audience_value) == ("class_tutors", str(class_with_tutors.pk))
    assert sent.subject == {"ja": "今月の研修について"}

    listed = client.get("/en/admin/jii/groupmessage/").content.decode()
    assert "Tutors of a Hanamaru class: Hanamaru class Meguro" in listed and "今月の研修について" in listed
    page = client.get(f"/en/admin/jii/groupmessage/{sent.pk}/change/").content.decode()
    assert "今月の研修は土曜日です。" in page and "木村 由美" in page
    assert 'name="_save"' not in page  # read only
    # The audit says a message was written to a group, not its words.
    entry = LogEntry.objects.get_for_object(sent).get()
    assert entry.changes_dict["subject"] == ["None", "••••"] and entry.changes_dict["recipients"] == ["None", "3"]


def test_each_volunteer_reads_their_language_when_it_was_written(
    coordinator_client, django_capture_on_commit_callbacks
):
    volunteer("haruka@example.jp", language="ja")
    volunteer("olena@example.jp", language="en")
    volunteer("minh@example.jp", language="vi")  # no Vietnamese version: the English one
    volunteer("yasashii@example.jp", language="ja-easy")  # reads Japanese
    fields = {"token": str(uuid.uuid4()), "group": "everyone:", **JAPANESE, **ENGLISH}

    preview = coordinator_client.post(SEND, {**fields, "preview": "Preview"}).content.decode()
    assert "This will go to 4 volunteers." in preview
    assert "In Japanese, for 2 volunteers" in preview and "In English, for 2 volunteers" in preview

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(SEND, {**fields, "send": "Send"})
    received = {message.to[0]: message for message in mail.outbox}
    assert received["haruka@example.jp"].subject == "今月の研修について"
    assert received["olena@example.jp"].subject == "This month's training"
    assert "Hello all,\nthis month's training is on Saturday." in received["olena@example.jp"].body
    assert received["minh@example.jp"].subject == "This month's training"
    assert "研修" in received["yasashii@example.jp"].subject  # with readings in brackets for plain Japanese
    assert "Saturday" not in received["yasashii@example.jp"].body


def test_without_an_english_version_everyone_reads_the_japanese(django_capture_on_commit_callbacks):
    volunteer("olena@example.jp", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        send_group_message(
            token=uuid.uuid4(), audience="everyone", value="", sent_by=CoordinatorFactory(),
            subject={"ja": "お知らせ"}, body={"ja": "来週はお休みです。"},
        )  # fmt: skip
    [email] = mail.outbox
    assert email.subject == "お知らせ"
    assert email.body.startswith("Dear ") and "来週はお休みです。" in email.body  # the greeting in her language
    html = email.alternatives[0][0]
    assert '<div lang="ja" dir="auto"><p>来週はお休みです。</p></div>' in html


def test_the_words_are_plain_text_escaped_in_html_with_their_line_breaks(django_capture_on_commit_callbacks):
    volunteer("haruka@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        send_group_message(
            token=uuid.uuid4(), audience="everyone", value="", sent_by=CoordinatorFactory(),
            subject={"ja": "持ち物 <重要> & 時間"}, body={"ja": "鉛筆 & <ノート>\n\n10時集合"},
        )  # fmt: skip
    [email] = mail.outbox
    assert email.subject == "持ち物 <重要> & 時間"
    assert "鉛筆 & <ノート>\n\n10時集合" in email.body
    html = email.alternatives[0][0]
    assert "<p>鉛筆 &amp; &lt;ノート&gt;</p>\n\n<p>10時集合</p>" in html
    assert "JII" in email.body.split("10時集合")[1]  # signed, with the footer after
    assert "/privacy/" in email.body


def test_on_line_the_message_is_the_plain_words(settings, django_capture_on_commit_callbacks):
    settings.LINE_CHANNEL_SECRET, settings.LINE_CHANNEL_ACCESS_TOKEN = "secret", "token"
    profile = volunteer("haruka@example.jp")
    LineLink.objects.create(line_user_id="U0123456789abcdef0123456789abcdef", user=profile.user)
    with mock.patch.object(MessagingApi, "push_message") as push, django_capture_on_commit_callbacks(execute=True):
        send_group_message(
            token=uuid.uuid4(), audience="everyone", value="", sent_by=CoordinatorFactory(),
            subject={"ja": "持ち物"}, body={"ja": "鉛筆 & <ノート>\n10時集合"},
        )  # fmt: skip
    text = push.call_args.args[0].messages[0].text
    assert text.startswith("持ち物\n\n") and "鉛筆 & <ノート>\n10時集合" in text and "&amp;" not in text
    assert mail.outbox == []


# --- who is in each group ---------------------------------------------------------------------------------------


def emails(kind, value=""):
    return sorted(audiences.recipients(kind, str(value)).values_list("user__email", flat=True))


def test_volunteers_of_an_area():
    volunteer("meguro@example.jp", area="tokyo-meguro")
    volunteer("shibuya@example.jp", area="tokyo-shibuya")
    volunteer("meguro-pending@example.jp", area="tokyo-meguro", status="pending")
    assert emails("area", Area.objects.get(code="tokyo-meguro").pk) == ["meguro@example.jp"]
    assert audiences.describe("area", str(Area.objects.get(code="tokyo-meguro").pk)) == (
        "Volunteers of an area: Meguro (Tokyo)"
    )


def test_volunteers_who_speak_a_language_at_conversational_level_or_better():
    for level in ["native", "fluent", "conversational", "basic"]:
        volunteer(f"{level}@example.jp", languages=[("ja", "native"), ("uk", level)])
    volunteer("no-ukrainian@example.jp", languages=[("ja", "native")])
    volunteer("archived@example.jp", status="archived", languages=[("uk", "native")])
    ukrainian = Language.objects.get(code="uk").pk
    assert emails("language", ukrainian) == ["conversational@example.jp", "fluent@example.jp", "native@example.jp"]


THIS_YEAR = insurance_year(timezone.localdate())


@pytest.mark.parametrize(
    ("years", "status", "written_to"),
    [
        ([THIS_YEAR], "approved", True),  # ends this March
        ([THIS_YEAR, THIS_YEAR + 1], "approved", False),  # renewed already
        ([], "approved", False),  # not insured now: nothing ends
        ([THIS_YEAR - 1], "approved", False),  # ended last year
        ([THIS_YEAR], "suspended", False),
    ],
)
def test_volunteers_whose_insurance_ends(years, status, written_to):
    profile = volunteer("insured@example.jp", status=status, ready=False)
    for year in years:
        Insurance.objects.create(volunteer=profile, year=year)
    [(value, _label)] = audiences.AUDIENCES["insurance_ending"].choices()
    assert value == str(THIS_YEAR)
    assert emails("insurance_ending", value) == (["insured@example.jp"] if written_to else [])


def test_only_approved_volunteers_with_an_open_account_are_ever_written_to():
    volunteer("approved@example.jp")
    volunteer("paused@example.jp", paused_at=timezone.now())  # their own pause: still a volunteer, still told
    for status in ["pending", "suspended", "archived"]:
        volunteer(f"{status}@example.jp", status=status)
    volunteer("erased@example.jp", anonymised_at=timezone.now())
    closed = volunteer("closed@example.jp")
    closed.user.is_active = False
    closed.user.save()
    assert emails("everyone") == ["approved@example.jp", "paused@example.jp"]


def test_tutors_of_one_session(klass):  # noqa: F811
    session, next_week = session_in(klass, days=2), session_in(klass, days=9)
    tutor(session, volunteer("today@example.jp"))
    tutor(next_week, volunteer("next-week@example.jp"))
    tutor(session, volunteer("withdrew@example.jp"), withdrawn=True)
    assert emails("session_tutors", session.pk) == ["today@example.jp"]
    assert str(session.pk) in dict(audiences.AUDIENCES["session_tutors"].choices())
    assert str(session_in(klass, days=60).pk) not in dict(audiences.AUDIENCES["session_tutors"].choices())


def test_classes_without_a_coming_session_are_not_offered(klass):  # noqa: F811
    assert audiences.AUDIENCES["class_tutors"].choices() == []
    session_in(klass, days=1)
    assert audiences.AUDIENCES["class_tutors"].choices() == [(str(klass.pk), str(klass))]


# --- the form and who may use it -------------------------------------------------------------------------------


def test_an_english_subject_needs_its_message_and_the_japanese_is_required(coordinator_client):
    approved_volunteer()
    fields = {"token": str(uuid.uuid4()), "group": "everyone:", **JAPANESE, "subject_en": "Training"}
    page = coordinator_client.post(SEND, {**fields, "send": "Send"}).content.decode()
    assert "Write the message in English too, or leave its subject empty." in page
    page = coordinator_client.post(SEND, {**fields, "subject_en": "", "body_en": "Hello", "preview": "1"})
    assert "Write a subject in English too, or leave its message empty." in page.content.decode()
    page = coordinator_client.post(SEND, {"token": str(uuid.uuid4()), "group": "everyone:", "preview": "1"})
    assert page.content.decode().count("This field is required.") == 2  # the Japanese subject and message
    assert not GroupMessage.objects.exists() and not Message.objects.exists()


def test_a_group_nobody_is_in_cannot_be_sent(coordinator_client, klass):  # noqa: F811
    session_in(klass, days=1)
    fields = {"token": str(uuid.uuid4()), "group": f"class_tutors:{klass.pk}", **JAPANESE, "preview": "1"}
    page = coordinator_client.post(SEND, fields).content.decode()
    assert "This will go to 0 volunteers." in page and 'name="send"' not in page


def test_staff_without_the_permission_get_403_and_volunteers_never_reach_the_page(client):
    approved_volunteer()
    fields = {"token": str(uuid.uuid4()), "group": "everyone:", **JAPANESE, "send": "Send"}
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    assert client.get(SEND).status_code == 403
    assert client.post(SEND, fields).status_code == 403
    client.force_login(VolunteerFactory(profile__status="approved"))
    response = client.post(SEND, fields)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not GroupMessage.objects.exists() and not Message.objects.exists()


def test_coordinators_find_the_page_from_the_volunteer_list(coordinator_client):
    assert SEND in coordinator_client.get("/en/admin/jii/volunteerprofile/").content.decode()
    assert SEND in coordinator_client.get("/en/admin/jii/groupmessage/").content.decode()


def test_the_same_preview_sent_twice_to_the_service_writes_one_message_each():
    profile = volunteer("haruka@example.jp")
    token, coordinator = uuid.uuid4(), CoordinatorFactory()
    words = {"subject": {"ja": "お知らせ"}, "body": {"ja": "本文"}}
    sent, created = send_group_message(token=token, audience="everyone", value="", sent_by=coordinator, **words)
    again, created_again = send_group_message(token=token, audience="everyone", value="", sent_by=coordinator, **words)
    assert (created, created_again, again) == (True, False, sent)
    message = Message.objects.get()
    assert (message.ids, message.user) == ({"group_message": sent.pk}, profile.user)
    assert message.once_key == f"group_message:{sent.pk}:{profile.user_id}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_preview_sent_from_five_tabs_at_once_is_sent_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    for name in ["aiko", "kenji", "mai"]:
        volunteer(f"{name}@example.jp")
    token, coordinator = uuid.uuid4(), CoordinatorFactory()

    def press_send(_):
        _sent, created = send_group_message(
            token=token, audience="everyone", value="", sent_by=coordinator,
            subject={"ja": "お知らせ"}, body={"ja": "本文"},
        )  # fmt: skip
        return "sent" if created else "found"

    outcomes = race(5, press_send)  # anything but sent or found (a deadlock, an integrity error) fails the test
    assert sorted(outcomes) == ["found"] * 4 + ["sent"], outcomes
    assert GroupMessage.objects.get().recipients == 3
    assert Message.objects.filter(template="group_message").count() == 3


def test_the_pages_are_valid_html(coordinator_client):
    from tests.page_checks import nu_errors

    volunteer("olena@example.jp", language="en")
    fields = {"token": str(uuid.uuid4()), "group": "everyone:", **JAPANESE, **ENGLISH}
    pages = {
        "empty": coordinator_client.get(SEND).content.decode(),
        "errors": coordinator_client.post(SEND, {**fields, "body_en": "", "preview": "1"}).content.decode(),
        "preview": coordinator_client.post(SEND, {**fields, "preview": "1"}).content.decode(),
    }
    coordinator_client.post(SEND, {**fields, "send": "1"})
    pages["sent already"] = coordinator_client.post(SEND, {**fields, "preview": "1"}).content.decode()
    pages["log"] = coordinator_client.get(f"/en/admin/jii/groupmessage/{GroupMessage.objects.get().pk}/change/")
    pages["log"] = pages["log"].content.decode()
    assert nu_errors(pages) == {}


def test_the_preview_runs_a_fixed_number_of_queries(coordinator_client, klass):  # noqa: F811
    from django.db import connection as default
    from django.test.utils import CaptureQueriesContext

    session = session_in(klass, days=2)
    fields = {"token": str(uuid.uuid4()), "group": f"session_tutors:{session.pk}", **JAPANESE, **ENGLISH}

    def queries():
        with CaptureQueriesContext(default) as captured:
            assert coordinator_client.post(SEND, {**fields, "preview": "1"}).status_code == 200
        return len(captured)

    tutor(session, volunteer("first@example.jp"))
    few = queries()
    for number in range(12):
        tutor(session, volunteer(f"tutor{number}@example.jp", language=["ja", "en", "vi"][number % 3]))
    assert queries() == few


def test_the_log_is_filtered_by_kind_of_group(coordinator_client):
    volunteer("haruka@example.jp")
    sent, _created = send_group_message(
        token=uuid.uuid4(), audience="everyone", value="", sent_by=CoordinatorFactory(),
        subject={"ja": "全員へのお知らせ"}, body={"ja": "本文"},
    )  # fmt: skip
    listed = coordinator_client.get("/en/admin/jii/groupmessage/", {"audience": "everyone"}).content.decode()
    assert "Tutors of a Hanamaru session" in listed and "全員へのお知らせ" in listed
    listed = coordinator_client.get("/en/admin/jii/groupmessage/", {"audience": "area"}).content.decode()
    assert "全員へのお知らせ" not in listed


def test_back_to_a_sent_preview_it_says_so_and_offers_a_new_message(coordinator_client):
    volunteer("haruka@example.jp")
    fields = {"token": str(uuid.uuid4()), "group": "everyone:", **JAPANESE}
    coordinator_client.post(SEND, {**fields, "send": "Send"})
    page = coordinator_client.post(SEND, {**fields, "body_ja": "書き直した本文", "preview": "1"}).content.decode()
    assert "This message was sent already" in page and 'name="send"' not in page
    assert f'href="{SEND}">Write a new message</a>' in page
    fresh = coordinator_client.get(SEND).content.decode()
    assert fields["token"] not in fresh  # a new message, a new token
