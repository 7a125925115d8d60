"""The change audit (jii/audit.py): every create, change and delete of people's records names its actor (the staff
member, or nobody for the system and public forms) with old and new values, masked fields keep no values, and only
privacy officers read it — nobody edits or deletes it."""

import json
from datetime import datetime
from html.parser import HTMLParser

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from hanamaru.models import Class, Enrolment
from jii.audit import MASK
from jii.models import Area, Language, Resident
from tests.factories import ApplicationFactory, CoordinatorFactory, ResidentFactory, SpotRequestFactory, UserFactory
from tests.factories import approved_volunteer as make_volunteer

pytestmark = pytest.mark.django_db

# Words of a resident's own that must never reach the audit.
WORDS = "Our landlord told us to leave before the baby is born"
JST = timezone.get_fixed_timezone(9 * 60)


class AdminForm(HTMLParser):
    """What a browser would send for the admin's change form: every field with its current value."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select = self.textarea = None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                default = "on" if attrs.get("type") in ("checkbox", "radio") else ""
                self.add(attrs["name"], attrs.get("value", default))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.data[self.textarea][-1].startswith("\n"):  # the newline HTML drops after <textarea>
                self.data[self.textarea][-1] = self.data[self.textarea][-1][1:]
            self.textarea = None


def change_in_admin(client, obj, **changes):
    opts = obj._meta
    path = f"/en/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
    form = AdminForm(f"{opts.model_name}_form")
    form.feed(client.get(path).content.decode())
    response = client.post(path, {**form.data, **changes})
    assert response.status_code == 302, response.context["errors"]


def staff(client, *groups, **extra):
    user = CoordinatorFactory(groups=list(groups) or ["coordinators"], **extra)
    client.force_login(user)
    return user


def action(client, obj, name):
    opts = obj._meta
    path = f"/en/admin/{opts.app_label}/{opts.model_name}/"
    response = client.post(path, {"action": name, "_selected_action": [obj.pk]})
    assert response.status_code == 302, response.content.decode()[:3000]


def hanamaru_class():
    return Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室"},
        address={"ja": "東京都目黒区下目黒5-27-5"},
        area=Area.objects.get(code="tokyo-meguro"),
        level="first_steps",
        age_band="lower_primary",
        capacity=2,
        tutors_needed=2,
    )


def enrolled_child(needs="卵アレルギー"):
    from tests.hanamaru.conftest import child, enrol

    return enrol(hanamaru_class(), child(needs=needs))[0].child


def consultation():
    from tests.consultations.conftest import submit

    return submit(description=WORDS)


def donation():
    from donations.models import Campaign
    from tests.donations.conftest import donation_for

    campaign = Campaign.objects.create(
        slug="audit", title={"ja": "キャンペーン"}, summary={"ja": "…"}, starts_on=datetime(2026, 11, 5).date(),
        ends_on=datetime(2026, 12, 25).date(), goal_new_monthly_supporters=50, goal_amount_yen=1_500_000,
    )  # fmt: skip
    return donation_for(campaign, name="山田 花子", message=WORDS, message_status="pending")


def receipt():
    from donations.models import Payment
    from donations.receipts import issue_for_payment

    gift = donation()
    return issue_for_payment(
        Payment.objects.create(
            donation=gift, campaign=gift.campaign, amount_yen=5000, received_at=datetime(2026, 11, 20, tzinfo=JST)
        )
    )


# Each scenario makes a record, has staff change it through the admin, and returns the record, the action
# expected in the audit, the clear fields' (old, new) values and the fields that must be masked.
def resident_changed(client):
    resident = ResidentFactory(household_type="family")
    change_in_admin(client, resident, name="Amina Haddad", household_type="refugee")
    return resident, LogEntry.Action.UPDATE, {"household_type": ["family", "refugee"]}, ["name"]


def volunteer_changed(client):
    volunteer = make_volunteer(gender="female")
    change_in_admin(client, volunteer, about=WORDS, gender="male")
    return volunteer, LogEntry.Action.UPDATE, {"gender": ["female", "male"]}, ["about"]


def volunteer_approved(client):
    volunteer = make_volunteer()
    volunteer.status = "pending"
    volunteer.save()
    action(client, volunteer, "approve_selected")
    return volunteer, LogEntry.Action.UPDATE, {"status": ["pending", "approved"]}, []


def application_changed(client):
    application = ApplicationFactory(adults=2)
    change_in_admin(client, application, message=WORDS, adults="3")
    return application, LogEntry.Action.UPDATE, {"adults": ["2", "3"]}, ["message"]


def matching_started(client):
    application = ApplicationFactory()  # a queryset update in the service (jii.audit.update)
    action(client, application, "start_matching")
    return application, LogEntry.Action.UPDATE, {"stage": ["received", "matching"]}, []


def pair_cancelled(client):
    from matching import services

    match = services.propose_match(application=ApplicationFactory(), volunteer=make_volunteer(), proposed_by=None)
    action(client, match, "cancel_proposals")
    return match, LogEntry.Action.UPDATE, {"status": ["proposed", "cancelled"]}, []


def spot_request_changed(client):
    request = SpotRequestFactory(urgency=2)
    change_in_admin(client, request, description=WORDS, urgency="3")
    return request, LogEntry.Action.UPDATE, {"urgency": ["2", "3"]}, ["description"]


def child_changed(client):
    child = enrolled_child()
    change_in_admin(client, child, needs=WORDS, age="8")
    return child, LogEntry.Action.UPDATE, {"age": ["7", "8"]}, ["needs"]


def enrolment_withdrawn(client):
    enrolment = enrolled_child().enrolments.get()
    action(client, enrolment, "withdraw")
    return enrolment, LogEntry.Action.UPDATE, {"status": ["enrolled", "withdrawn"]}, []


def consultation_outcome(client):
    case = consultation()
    change_in_admin(client, case, outcome="resolved", outcome_summary=WORDS)
    return case, LogEntry.Action.UPDATE, {"outcome": ["", "resolved"]}, ["outcome_summary"]


def case_note_added(client):
    case = consultation()
    change_in_admin(client, case, **{"notes-TOTAL_FORMS": "1", "notes-0-text": WORDS, "notes-0-consultation": case.pk})
    return case.notes.get(), LogEntry.Action.CREATE, {"consultation": ["None", str(case.pk)]}, ["text"]


def donation_changed(client):
    gift = donation()
    change_in_admin(client, gift, receipts_wanted="annual", message=WORDS + ".")
    return gift, LogEntry.Action.UPDATE, {"receipts_wanted": ["each", "annual"]}, ["message"]


def donation_message_approved(client):
    gift = donation()  # a queryset update in the service (jii.audit.update)
    action(client, gift, "approve_messages")
    return gift, LogEntry.Action.UPDATE, {"message_status": ["pending", "approved"]}, []


def receipt_voided(client):
    issued = receipt()
    action(client, issued, "void_and_reissue")
    issued.refresh_from_db()
    return issued, LogEntry.Action.UPDATE, {"voided_at": ["None", str(issued.voided_at.replace(tzinfo=None))]}, []


SCENARIOS = {
    # scenario: the groups of the staff member who acts
    resident_changed: ["coordinators"],
    volunteer_changed: ["coordinators"],
    volunteer_approved: ["coordinators"],
    application_changed: ["coordinators"],
    matching_started: ["coordinators"],
    pair_cancelled: ["coordinators"],
    spot_request_changed: ["coordinators"],
    child_changed: ["coordinators"],
    enrolment_withdrawn: ["coordinators"],
    consultation_outcome: ["consultation staff"],
    case_note_added: ["consultation staff"],
    donation_changed: ["donations staff"],
    donation_message_approved: ["donations staff"],
    receipt_voided: ["donations staff"],
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_a_change_in_the_admin_is_audited_with_its_actor_and_values_masked(client, scenario):
    actor = staff(client, *SCENARIOS[scenario])
    obj, expected_action, clear, masked = scenario(client)

    entry = LogEntry.objects.get_for_object(obj).filter(action=expected_action).latest()
    assert entry.actor == actor and entry.actor_email == actor.email
    for field, values in clear.items():
        assert entry.changes[field] == values, field
    for field in masked:
        assert entry.changes[field][1] == MASK, field
    # The record is named by its number, never by a person's name, and no words are kept anywhere.
    assert entry.object_repr == f"#{obj.pk}"
    assert WORDS not in json.dumps(list(LogEntry.objects.values_list("changes", flat=True)), ensure_ascii=False)


def test_a_deletion_is_audited_with_the_old_values_masked_and_what_went_with_it(client):
    application = ApplicationFactory(resident__name="Amina Haddad", message=WORDS)
    resident = application.resident
    admin = staff(client, is_superuser=True)
    response = client.post(f"/en/admin/jii/resident/{resident.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Resident.objects.exists()

    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE)
    gone = {(entry.content_type.model, entry.object_pk): entry for entry in deleted}
    assert set(gone) >= {("resident", str(resident.pk)), ("application", str(application.pk))}
    assert {entry.actor for entry in deleted} == {admin}
    assert gone["resident", str(resident.pk)].changes["name"] == [MASK, "None"]
    assert gone["resident", str(resident.pk)].changes["household_type"] == ["family", "None"]
    assert "ofp_applications" not in gone["resident", str(resident.pk)].changes  # its own columns only
    everything = json.dumps(list(LogEntry.objects.values_list("changes", "object_repr")), ensure_ascii=False)
    assert "Amina Haddad" not in everything and WORDS not in everything and resident.email not in everything


def test_a_public_form_is_audited_without_an_actor(client):
    from tests.hanamaru.test_pages import enrol_form

    response = client.post("/en/hanamaru/enroll/", enrol_form(hanamaru_class(), **{"child-0-needs": WORDS}))
    assert response.status_code == 302
    enrolment = Enrolment.objects.select_related("child__guardian").get()
    for record in (enrolment, enrolment.child, enrolment.child.guardian):
        created = LogEntry.objects.get_for_object(record).get(action=LogEntry.Action.CREATE)
        assert created.actor is None
    child_entry = LogEntry.objects.get_for_object(enrolment.child).get(action=LogEntry.Action.CREATE)
    assert child_entry.changes["needs"] == ["None", MASK] and child_entry.changes["age"] == ["None", "7"]
    assert child_entry.changes["first_name"] == ["None", MASK]
    assert WORDS not in json.dumps(list(LogEntry.objects.values_list("changes", flat=True)), ensure_ascii=False)


def test_the_languages_a_resident_speaks_are_audited_as_they_change(client):
    resident = ResidentFactory()
    actor = staff(client)
    change_in_admin(client, resident, languages=[Language.objects.get(code="uk").pk])
    added = LogEntry.objects.get_for_object(resident).latest()
    assert added.actor == actor
    assert added.changes["languages"] == {"type": "m2m", "operation": "add", "objects": ["Ukrainian"]}


def test_privacy_officers_read_the_audit_and_others_do_not(client):
    resident = ResidentFactory()
    entry = LogEntry.objects.get_for_object(resident).get()
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    assert client.get("/en/admin/auditlog/logentry/").status_code == 403
    assert client.get(f"/en/admin/auditlog/logentry/{entry.pk}/change/").status_code == 403

    client.force_login(CoordinatorFactory(groups=["coordinators", "privacy officers"]))
    listing = client.get("/en/admin/auditlog/logentry/").content.decode()
    assert f"Resident #{resident.pk}" in listing
    assert "the system, or a resident on a public page" in listing
    page = client.get(f"/en/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert MASK in page and "Household" in page and resident.name not in page


@pytest.mark.parametrize("is_superuser", [False, True])
def test_nobody_adds_changes_or_deletes_an_audit_entry(client, is_superuser):
    entry = LogEntry.objects.get_for_object(ResidentFactory()).get()
    groups = ["coordinators", "privacy officers"]
    client.force_login(CoordinatorFactory(groups=groups, is_superuser=is_superuser))
    base = "/en/admin/auditlog/logentry/"
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "0"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{entry.pk}/change/", {"action": "2", "changes": "{}"})
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert LogEntry.objects.filter(pk=entry.pk, action=LogEntry.Action.CREATE).exists()


def test_a_password_change_is_audited_without_the_hash_and_sign_ins_are_not(client):
    user = UserFactory()
    user.set_password("another horse battery staple")
    user.save()
    entries = LogEntry.objects.get_for_object(user)
    assert entries.latest().changes == {"password": [MASK, MASK]}
    before = entries.count()
    client.force_login(user)
    assert entries.count() == before  # a sign-in is no change


def test_an_audited_queryset_update_stays_a_compare_and_set():
    from jii import audit

    request = SpotRequestFactory()
    open_request = SpotRequestFactory._meta.model.objects.filter(pk=request.pk, status="open")
    assert audit.update(open_request, status="cancelled") == 1
    assert audit.update(open_request, status="done") == 0  # no longer open: nothing changed, nothing logged
    entry = LogEntry.objects.get_for_object(request).latest()
    assert entry.changes == {"status": ["open", "cancelled"]} and entry.actor is None
