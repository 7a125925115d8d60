"""Every Hanamaru message, as its reader gets it: to the right person, with its own subject and words, in that
person's language (English and Japanese; Vietnamese for a guardian). A wrong template fails here."""

from datetime import timedelta

import pytest
from django.core import mail

from hanamaru import services
from hanamaru.tasks import run_daily_hanamaru_jobs
from jii.models import Message
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.hanamaru.conftest import child, committed, enrol, session_in
from tests.hanamaru.test_tutors_and_sessions import tomorrow_at

pytestmark = pytest.mark.django_db

# (template, what it says): {language: subject}
SUBJECTS = {
    ("hanamaru_enrolment_received", ""): {
        "en": "Hanamaru class: we received your enrolment",
        "ja": "はなまるクラス: お申し込みを受け付けました",
        "vi": "Lớp Hanamaru: chúng tôi đã nhận được đơn đăng ký của bạn",
    },
    ("hanamaru_session_changed", "cancelled"): {
        "en": "Hanamaru class: a session is cancelled",
        "ja": "はなまるクラス: 活動日が中止になりました",
        "vi": "Lớp Hanamaru: một buổi học đã bị hủy",
    },
    ("hanamaru_session_changed", "moved"): {
        "en": "Hanamaru class: a session has a new time",
        "ja": "はなまるクラス: 活動日の日時が変わりました",
        "vi": "Lớp Hanamaru: một buổi học đã đổi thời gian",
    },
    ("hanamaru_reminder", ""): {
        "en": "Reminder: Hanamaru class tomorrow",
        "ja": "リマインダー: 明日ははなまるクラスです",
        "vi": "Nhắc nhở: ngày mai có lớp Hanamaru",
    },
    ("hanamaru_consent_renewal", ""): {
        "en": "Hanamaru class: please agree to our updated text",
        "ja": "はなまるクラス: 更新した内容への同意のお願い",
        "vi": "Lớp Hanamaru: vui lòng đồng ý với nội dung mới của chúng tôi",
    },
}
CASES = [(template, what, language) for (template, what), subjects in SUBJECTS.items() for language in subjects]


def email_to(address):
    [email] = [email for email in mail.outbox if email.to == [address]]
    return email


@pytest.mark.parametrize(("template", "what", "language"), CASES)
def test_each_message_to_a_guardian_in_their_language(klass, template, what, language):
    klass.capacity = 1
    klass.save()
    session = tomorrow_at(klass, 10)
    with committed():
        enrol(klass, child("Lucas"), language=language)
    expected_words = "Lucas" if template == "hanamaru_enrolment_received" else "/status/"
    if template != "hanamaru_enrolment_received":
        mail.outbox.clear()
        with committed():
            if what == "cancelled":
                services.cancel_session(session=session, reason="")
            elif what == "moved":
                later = session.starts_at + timedelta(hours=2)
                services.move_session(session=session, starts_at=later, ends_at=later + timedelta(hours=1))
            elif template == "hanamaru_reminder":
                run_daily_hanamaru_jobs()
            else:
                services.publish_consent(text={"ja": "新しい同意文", "en": "New text"})
    email = email_to("ana@example.com")
    assert email.subject == SUBJECTS[(template, what)][language]
    assert expected_words in email.body
    assert Message.objects.filter(template=template, resident__email="ana@example.com", state="sent").count() == 1


@pytest.mark.parametrize("language", ["en", "ja"])
def test_tutors_hear_of_a_change_and_a_reminder_with_their_page_link(klass, language):
    session = tomorrow_at(klass, 10)
    tutor = VolunteerFactory(profile__status="approved", language=language)
    services.sign_up_tutor(session=session, volunteer=tutor.volunteer_profile)
    with committed():
        run_daily_hanamaru_jobs()
    with committed():
        later = session.starts_at + timedelta(hours=2)
        services.move_session(session=session, starts_at=later, ends_at=later + timedelta(hours=1))
    subjects = [email.subject for email in mail.outbox if email.to == [tutor.email]]
    assert subjects == [
        SUBJECTS[("hanamaru_reminder", "")][language],
        SUBJECTS[("hanamaru_session_changed", "moved")][language],
    ]
    prefix = "/volunteer/" if language == "ja" else f"/{language}/volunteer/"
    assert all(prefix in email.body for email in mail.outbox if email.to == [tutor.email])


@pytest.mark.parametrize(
    ("language", "subject"),
    [("en", "Hanamaru: a session is short of tutors"), ("ja", "はなまるクラス: チューターが足りない活動日があります")],
)
def test_the_class_coordinator_hears_of_a_tutor_shortage_in_their_language(klass, language, subject):
    klass.coordinator = CoordinatorFactory(language=language)
    klass.save()
    session = session_in(klass, days=1, hours=12)
    with committed():
        run_daily_hanamaru_jobs()
    email = email_to(klass.coordinator.email)
    assert email.subject == subject
    assert f"/admin/hanamaru/session/{session.pk}/change/" in email.body
