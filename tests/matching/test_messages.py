"""Every OFP message, as its reader gets it: to the right person, with its own subject and words, in the reader's
language (English and Japanese; Vietnamese for a resident; the coordinators' inbox reads Japanese). A wrong
template fails here."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from jii.models import Message
from matching.models import Match
from matching.services import close_pair, log_check_in, propose_match, respond_as_resident, respond_as_volunteer
from matching.tasks import send_due_follow_ups
from tests.factories import ApplicationFactory, approved_volunteer
from tests.matching.test_pages import application_form

pytestmark = pytest.mark.django_db

# template: {language: (subject, words only that template has)}
EXPECTED = {
    "ofp_application_received": {
        "en": ("We received your OFP application", "A coordinator will read your application"),
        "ja": ("OFPのお申し込みを受け付けました", "/status/"),
        "vi": ("Chúng tôi đã nhận được đơn đăng ký OFP của bạn", "/vi/status/"),
    },
    "ofp_proposal_resident": {
        "en": ("We found an Otonari-san for you", "We would like to introduce you to"),
        "ja": ("あなたのおとなりさんが見つかりました", "/status/"),
        "vi": ("Chúng tôi đã tìm được một Otonari-san cho bạn", "/vi/status/"),
    },
    "ofp_proposal_volunteer": {
        "en": ("A new OFP partner is proposed to you", "Please accept or decline on your volunteer page"),
        "ja": ("OFPの新しいペアのご提案", "/volunteer/"),
    },
    "ofp_pair_started_resident": {
        "en": ("Your OFP pair starts today", "have both said yes"),
        "ja": ("今日からOFPのペアが始まります", "/status/"),
        "vi": ("Cặp OFP của bạn bắt đầu từ hôm nay", "/vi/status/"),
    },
    "ofp_pair_started_volunteer": {
        "en": ("Your OFP pair starts today", "The resident has accepted too"),
        "ja": ("今日からOFPのペアが始まります", "/volunteer/"),
    },
    "ofp_check_in_reminder": {
        "en": ("OFP: month 4 check-in", "Month 4 of your OFP pair has begun"),
        "ja": ("OFP：4か月目の活動報告", "/volunteer/"),
    },
    "ofp_check_in_overdue": {
        "en": ("OFP: the month 3 check-in is missing", "We have no check-in for month 3"),
        "ja": ("OFP：3か月目の活動報告が未提出です", "/volunteer/"),
    },
    "ofp_survey_resident": {
        "en": ("OFP: how are the first three months?", "on your status page"),
        "ja": ("OFP：はじめの3か月はいかがですか？", "/status/"),
        "vi": ("OFP: ba tháng đầu thế nào?", "/vi/status/"),
    },
    "ofp_survey_volunteer": {
        "en": ("OFP: how are the first three months?", "on your volunteer page"),
        "ja": ("OFP：はじめの3か月はいかがですか？", "/volunteer/"),
    },
}


def the_email(template, address):
    assert Message.objects.filter(template=template, state="sent").exists()
    emails = [email for email in mail.outbox if email.to == [address]]
    assert len(emails) >= 1, [email.subject for email in mail.outbox]
    return emails


def check(template, language, address):
    subject, words = EXPECTED[template][language]
    matching = [email for email in the_email(template, address) if email.subject == subject]
    assert len(matching) == 1, [email.subject for email in mail.outbox if email.to == [address]]
    assert words in matching[0].body


def started(resident_language, volunteer_language, capture):
    volunteer = approved_volunteer()
    volunteer.user.language = volunteer_language
    volunteer.user.save()
    match = propose_match(
        application=ApplicationFactory(resident__language=resident_language), volunteer=volunteer, proposed_by=None
    )
    with capture(execute=True):
        respond_as_resident(match=match, resident=match.application.resident, accepted=True)
        return respond_as_volunteer(match=match, volunteer=volunteer, accepted=True)


@pytest.mark.parametrize(
    ("template", "language"), [(template, language) for template in EXPECTED for language in EXPECTED[template]]
)
def test_each_ofp_message_in_the_readers_language(template, language, client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    if template == "ofp_application_received":
        prefix = "/" if language == "ja" else f"/{language}/"
        with capture(execute=True):
            client.post(f"{prefix}ofp/apply/", application_form(email="lan@example.com"))
        return check(template, language, "lan@example.com")
    if template.startswith("ofp_proposal"):
        volunteer = approved_volunteer()
        volunteer.user.language = language
        volunteer.user.save()
        with capture(execute=True):
            match = propose_match(
                application=ApplicationFactory(resident__language=language), volunteer=volunteer, proposed_by=None
            )
        reader = match.application.resident.email if template.endswith("resident") else volunteer.user.email
        return check(template, language, reader)
    match = started(language, language, capture)
    resident, volunteer = match.application.resident, match.volunteer.user
    reader = resident.email if template.endswith("resident") else volunteer.email
    if template.startswith("ofp_pair_started"):
        return check(template, language, reader)
    mail.outbox.clear()
    Match.objects.filter(pk=match.pk).update(starts_on=timezone.localdate() - timedelta(days=100))  # month 4
    with capture(execute=True):
        send_due_follow_ups()
    check(template, language, reader)


def test_the_closing_survey_goes_to_both_sides_when_a_pair_is_closed(django_capture_on_commit_callbacks):
    match = started("en", "ja", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        close_pair(match=match, reason="moved")
    subjects = {email.to[0]: email.subject for email in mail.outbox}
    assert subjects == {
        match.application.resident.email: "OFP: how were your six months?",
        match.volunteer.user.email: "OFP：6か月間はいかがでしたか？",
    }


def test_coordinators_hear_of_a_decline_a_concern_and_an_end_in_japanese_without_names(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    volunteer = approved_volunteer()
    declined = propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=None)
    with capture(execute=True):
        respond_as_volunteer(match=declined, volunteer=volunteer, accepted=False, reason="busy")
    match = started("en", "en", capture)
    with capture(execute=True):
        log_check_in(match=match, volunteer=match.volunteer, met=True, how="phone", mood="okay", concern="Worried")
    Match.objects.filter(pk=match.pk).update(ends_on=timezone.localdate() + timedelta(days=10))
    with capture(execute=True):
        send_due_follow_ups()
    inbox = [email for email in mail.outbox if email.to == [settings.COORDINATOR_EMAIL]]
    ends_on = f"{(timezone.localdate() + timedelta(days=10)):%Y年%-m月%-d日}"
    assert sorted(email.subject for email in inbox) == sorted(
        [
            f"OFPの提案 #{declined.pk} が辞退されました",
            f"OFPペア #{match.pk} についてボランティアから相談があります",
            f"OFPペア #{match.pk} は{ends_on}に終了します",
        ]
    )
    for email in inbox:
        assert match.application.resident.name not in email.body
        assert f"/admin/matching/match/{email.subject.split('#')[1].split()[0]}/change/" in email.body
