"""Every consultation message: to whom, in whose language, from which template (the subject and a sentence only
that message has); each written once however often its change or the daily job runs; none sent when it is no
longer true; and the emails sent before the outbox are not sent again."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from consultations import messages, services
from consultations.models import Appointment, Consultation
from consultations.tasks import run_daily_consultation_jobs
from jii.models import Message
from jii.tasks import deliver_message
from tests.consultations.conftest import at, book, committed, make_expert, submit
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

RESIDENT, EXPERT, STAFF = "chen@example.com", "takahashi@example.jp", "kurashi-staff@example.org"
# (subject, a sentence of the body only this message has), by message and language.
TEXTS = {
    "received": {
        "en": ("Kurashi consultation: we received your request", "We received your request for a consultation"),
        "ja": ("くらしの相談: お申し込みを受け付けました", "についてのご相談を受け付けました。"),
        "vi": ("Tư vấn Kurashi: chúng tôi đã nhận được yêu cầu của bạn", "Chúng tôi đã nhận được yêu cầu tư vấn"),
        "fa-af": ("مشوره کوراشی: درخواست شما به ما رسید", "درخواست مشوره شما در باره"),
    },
    "booked": {
        "en": ("Consultation appointment booked", "A consultation appointment is booked."),
        "ja": ("面談の予約のお知らせ", "面談の予約が決まりました。"),
        "zh-hans": ("咨询面谈已预约", "咨询面谈已预约好。"),
    },
    "moved": {
        "en": ("Consultation appointment: a new time", "The consultation appointment has a new time."),
        "ja": ("面談の日時変更", "面談の日時が変更になりました。"),
        "vi": ("Buổi hẹn tư vấn: thời gian mới", "Buổi hẹn tư vấn đã được đổi sang thời gian mới."),
        "fa-af": ("ملاقات مشوره: وقت جدید", "وقت ملاقات مشوره شما تغییر کرد."),
    },
    "cancelled": {
        "en": ("Consultation appointment cancelled", "is cancelled. We will contact you about a new time."),
        "ja": ("面談の取り消し", "の面談は取り消しになりました。"),
        "ne": ("परामर्श भेटघाट रद्द भयो", "को परामर्श भेटघाट रद्द भएको छ।"),
    },
    "reminder": {
        "en": ("Reminder: your consultation appointment is tomorrow", "Your consultation appointment is tomorrow."),
        "ja": ("リマインダー: 明日は面談の日です", "明日は面談の日です。"),
        "uk": ("Нагадування: ваша зустріч на консультації — завтра", "Ваша зустріч на консультації — завтра."),
    },
}


def assert_letter(message, kind, language):
    subject, sentence = TEXTS[kind][language]
    assert message.subject == subject
    assert sentence in message.body and sentence in message.alternatives[0][0]


def to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def assert_both_told(kind, appointment, resident_language, expert_language, calendar_files=1):
    """Each person by their own message, in their language, with the calendar file(s)."""
    to_resident, to_expert = to(RESIDENT), to(EXPERT)
    assert_letter(to_resident, kind, resident_language)
    assert_letter(to_expert, kind, expert_language)
    assert "/status/" in to_resident.body and "/status/" not in to_expert.body
    assert "/consultations/expert/" in to_expert.body
    if kind != "cancelled":
        assert "高橋 健" in to_resident.body  # the resident learns who the expert is
    assert "visa" not in to_expert.body  # the case's words stay off email
    assert len(to_resident.attachments) == len(to_expert.attachments) == calendar_files
    rows = Message.objects.filter(once_key__startswith=f"consultation_appointment:{kind}:{appointment.pk}:")
    assert sorted(rows.values_list("once_key", "resident__email", "address", "language", "state")) == [
        (f"consultation_appointment:{kind}:{appointment.pk}:expert", None, EXPERT, expert_language, "sent"),
        (f"consultation_appointment:{kind}:{appointment.pk}:resident", RESIDENT, "", resident_language, "sent"),
    ]


@pytest.mark.parametrize("language", ["en", "ja", "vi", "fa-af"])
def test_the_resident_hears_that_their_request_arrived(language):
    case = submit(language=language)
    [message] = mail.outbox
    assert message.to == [RESIDENT]
    assert_letter(message, "received", language)
    row = Message.objects.get()
    assert (row.template, row.once_key, row.resident, row.state) == (
        "consultation_received", f"consultation_received:{case.pk}", case.resident, "sent"
    )  # fmt: skip


@pytest.mark.parametrize(("resident_language", "expert_language"), [("en", "ja"), ("zh-hans", "en")])
def test_a_booking_is_told_to_both(resident_language, expert_language):
    case, expert = submit(language=resident_language), make_expert(language=expert_language)
    mail.outbox.clear()
    appointment = book(case, expert)
    assert_both_told("booked", appointment, resident_language, expert_language)
    event = icalendar.Calendar.from_ical(to(RESIDENT).attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == appointment.starts_at


MAY_CHANGE = "Cannot come? On your page you can cancel it or ask for another time, until 24 hours before:"


def test_the_residents_confirmation_says_that_their_page_can_move_it_while_it_still_can(settings):
    case, expert = submit(language="en"), make_expert(language="en")
    mail.outbox.clear()
    book(case, expert, days=3)
    for text in (to(RESIDENT).body, to(RESIDENT).alternatives[0][0]):
        assert MAY_CHANGE in text and "/status/" in text.split(MAY_CHANGE)[1]
    assert "cancel it" not in to(EXPERT).body  # the expert moves it through the desk, not this page
    settings.CONSULTATION_CHANGE_HOURS = 24 * 7  # three days ahead is now too close to change it oneself
    second_case = submit(resident_email="li@example.com", language="en")
    mail.outbox.clear()
    book(second_case, expert, days=3, hour=15)
    assert "ask for another time" not in to("li@example.com").body


@pytest.mark.parametrize(("resident_language", "expert_language"), [("vi", "ja"), ("fa-af", "en")])
def test_a_new_time_is_told_to_both_with_the_old_time_cancelled_in_calendars(resident_language, expert_language):
    case, expert = submit(language=resident_language), make_expert(language=expert_language)
    old = book(case, expert)
    mail.outbox.clear()
    with committed():
        moved = services.reschedule(appointment=old, starts_at=at(4, 14), ends_at=at(4, 15))
    assert_both_told("moved", moved, resident_language, expert_language, calendar_files=2)
    files = {name: icalendar.Calendar.from_ical(content) for name, content, _type in to(RESIDENT).attachments}
    assert str(files["consultation-old-time.ics"].walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(("resident_language", "expert_language"), [("ja", "en"), ("ne", "ja")])
def test_a_cancellation_is_told_to_both(resident_language, expert_language):
    case, expert = submit(language=resident_language), make_expert(language=expert_language)
    appointment = book(case, expert)
    mail.outbox.clear()
    with committed():
        assert services.cancel_appointment(appointment=appointment) is True
    assert_both_told("cancelled", appointment, resident_language, expert_language)
    ics = icalendar.Calendar.from_ical(to(EXPERT).attachments[0][1])
    assert str(ics.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(("resident_language", "expert_language"), [("uk", "ja"), ("en", "en")])
def test_both_are_reminded_the_day_before(resident_language, expert_language):
    case, expert = submit(language=resident_language), make_expert(language=expert_language)
    appointment = book(case, expert, days=1)
    mail.outbox.clear()
    with committed():
        assert run_daily_consultation_jobs() == {"reminded": 1, "follow_ups": 0}
    assert_both_told("reminder", appointment, resident_language, expert_language)


@pytest.mark.parametrize("resident_language", ["en", "vi"])
def test_a_due_follow_up_is_told_to_consultation_staff_in_japanese(settings, resident_language):
    settings.CONSULTATION_STAFF_EMAIL = STAFF
    case = submit(language=resident_language)
    services.record_outcome(
        consultation=case, outcome="partly", summary="Advised.", follow_up_on=timezone.localdate(), close=False
    )
    mail.outbox.clear()
    with committed():
        assert run_daily_consultation_jobs() == {"reminded": 0, "follow_ups": 1}
    [message] = mail.outbox
    assert message.to == [STAFF]
    assert message.subject == f"フォローアップの時期: 相談 #{case.pk}"  # the staff's language, whatever the resident's
    assert "のフォローアップ予定日" in message.body
    assert f"/admin/consultations/consultation/{case.pk}/change/" in message.body and "visa" not in message.body
    row = Message.objects.get(template="consultation_follow_up")
    assert (row.address, row.language, row.once_key) == (
        STAFF, "ja", f"consultation_follow_up:{case.pk}:{timezone.localdate().isoformat()}"
    )  # fmt: skip


def test_a_change_replayed_or_delivered_twice_sends_nothing_twice(case, expert):
    appointment = book(case, expert)
    with committed():
        assert messages.queue_received(case) is None  # the request's and the booking's messages, asked for again
        assert messages.queue_appointment("booked", appointment) == 0
    booked = Message.objects.get(once_key=f"consultation_appointment:booked:{appointment.pk}:resident")
    assert deliver_message(booked.pk) == ""  # the broker handing the message over twice
    with committed():
        assert services.cancel_appointment(appointment=appointment) is True
        assert services.cancel_appointment(appointment=appointment) is False
    assert len(mail.outbox) == Message.objects.filter(state="sent").count() == 5  # received, 2 booked, 2 cancelled


def test_the_daily_job_run_twice_reminds_once_and_a_new_time_is_reminded_again(case, expert):
    first = book(case, expert, days=1, hour=10)
    mail.outbox.clear()
    with committed():
        assert run_daily_consultation_jobs()["reminded"] == 1
        assert run_daily_consultation_jobs()["reminded"] == 0
    assert sorted(message.to[0] for message in mail.outbox) == [RESIDENT, EXPERT]
    with committed():
        second = services.reschedule(appointment=first, starts_at=at(1, 14), ends_at=at(1, 15))
    mail.outbox.clear()
    with committed():
        assert run_daily_consultation_jobs()["reminded"] == 1  # the new time is a new appointment
    assert sorted(message.to[0] for message in mail.outbox) == [RESIDENT, EXPERT]
    reminders = Message.objects.filter(once_key__startswith="consultation_appointment:reminder:")
    assert sorted(reminders.values_list("once_key", flat=True)) == [
        f"consultation_appointment:reminder:{pk}:{role}"
        for pk in (first.pk, second.pk)
        for role in ("expert", "resident")
    ]


def test_a_follow_up_is_told_once_per_date_and_not_for_a_closed_case(settings):
    settings.CONSULTATION_STAFF_EMAIL = STAFF
    case = submit()
    today = timezone.localdate()
    services.record_outcome(consultation=case, outcome="partly", summary="", follow_up_on=today, close=False)
    with committed():
        run_daily_consultation_jobs()
        run_daily_consultation_jobs()
    services.record_outcome(
        consultation=case, outcome="partly", summary="", follow_up_on=today - timedelta(days=1), close=False
    )
    with committed():
        assert run_daily_consultation_jobs()["follow_ups"] == 1  # another date: told again
    services.record_outcome(
        consultation=case, outcome="resolved", summary="", follow_up_on=today - timedelta(days=2), close=True
    )
    with committed():
        assert run_daily_consultation_jobs()["follow_ups"] == 0
    assert [message.to for message in mail.outbox[1:]] == [[STAFF], [STAFF]]


def test_a_message_no_longer_true_when_its_turn_comes_is_not_sent(case, expert, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as late:  # the broker gets the booking's messages late…
        appointment = services.book_appointment(
            consultation=case, expert=expert, starts_at=at(3, 10), ends_at=at(3, 11), mode="phone"
        )
    with committed():
        services.cancel_appointment(appointment=appointment)  # …after the appointment was cancelled
    for callback in late:
        callback()
    states = dict(Message.objects.filter(template="consultation_appointment").values_list("once_key", "state"))
    assert states == {
        f"consultation_appointment:{change}:{appointment.pk}:{role}": state
        for change, state in (("booked", "obsolete"), ("cancelled", "sent"))
        for role in ("resident", "expert")
    }
    assert {message.subject for message in mail.outbox[1:]} == {"Consultation appointment cancelled", "面談の取り消し"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_emails_sent_before_the_outbox_are_recorded_with_the_keys_the_new_code_uses(settings):
    settings.CONSULTATION_STAFF_EMAIL = STAFF
    before = [("consultations", "0003_language_field")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    resident = ResidentFactory(email=RESIDENT, language="vi")  # jii stays migrated
    expert = old.get_model("consultations", "Expert").objects.create(
        name="高橋 健", kind="scrivener", email=EXPERT, language="en"
    )
    today = timezone.localdate()
    case = old.get_model("consultations", "Consultation").objects.create(
        resident_id=resident.pk, topic="residence", description="…", consented_at=timezone.now(), status="accepted",
        follow_up_on=today, follow_up_sent_for=today,
    )  # fmt: skip
    appointment = old.get_model("consultations", "Appointment").objects.create(
        consultation=case, expert=expert, mode="phone", starts_at=at(1, 10), ends_at=at(1, 11)
    )
    sent_at = timezone.now() - timedelta(hours=5)
    old.get_model("consultations", "Notification").objects.bulk_create(
        old.get_model("consultations", "Notification")(kind=kind, key=key, sent_at=sent_at)
        for kind, key in [("received", str(case.pk)), ("booked", f"{appointment.pk}:resident"),
                          ("booked", f"{appointment.pk}:expert"), ("reminder", f"{appointment.pk}:resident"),
                          ("reminder", f"{appointment.pk}:expert"), ("received", "999999")]  # a deleted case's
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0004_outbox, and on to the schema the new code expects
    rows = Message.objects.order_by("once_key").values_list("once_key", "resident_id", "address", "language", "state")
    assert list(rows) == [
        (f"consultation_appointment:booked:{appointment.pk}:expert", None, EXPERT, "en", "sent"),
        (f"consultation_appointment:booked:{appointment.pk}:resident", resident.pk, "", "vi", "sent"),
        (f"consultation_appointment:reminder:{appointment.pk}:expert", None, EXPERT, "en", "sent"),
        (f"consultation_appointment:reminder:{appointment.pk}:resident", resident.pk, "", "vi", "sent"),
        (f"consultation_follow_up:{case.pk}:{today.isoformat()}", None, STAFF, "ja", "sent"),
        (f"consultation_received:{case.pk}", resident.pk, "", "vi", "sent"),
    ]
    assert Message.objects.get(once_key=f"consultation_received:{case.pk}").sent_at == sent_at
    follow_up = Message.objects.get(template="consultation_follow_up")
    assert timezone.localtime(follow_up.sent_at).date() == today  # only the date was kept

    # The new code finds every one of them: nothing is sent again.
    with committed():
        assert run_daily_consultation_jobs() == {"reminded": 0, "follow_ups": 0}
        assert messages.queue_received(Consultation.objects.get(pk=case.pk)) is None
        appointment = Appointment.objects.select_related("consultation__resident", "expert").get(pk=appointment.pk)
        assert messages.queue_appointment("booked", appointment) == 0
    assert mail.outbox == [] and Message.objects.count() == 6


def test_only_consultation_staff_see_that_a_resident_asked_for_a_consultation(
    client, django_capture_on_commit_callbacks
):
    from tests.consultations.test_intake_and_desk import intake
    from tests.factories import CoordinatorFactory

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/consultations/request/", intake(email="confidential@example.org"))
    message = Message.objects.get(template="consultation_received")
    resident_page = f"/en/admin/jii/resident/{message.resident_id}/change/"

    client.force_login(CoordinatorFactory())
    assert "consultation_received" not in client.get("/en/admin/jii/message/").content.decode()
    assert "consultation_received" not in client.get(resident_page).content.decode()
    assert client.get(f"/en/admin/jii/message/{message.pk}/change/").status_code == 302  # not found for them

    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    assert "consultation_received" in client.get("/en/admin/jii/message/").content.decode()
