"""One refugee family and one volunteer with a record of every kind in the retention table, each finished today,
and every personal word marked so a test can look for it anywhere in the database afterwards."""

from datetime import date, timedelta

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from consultations.models import CaseNote, Consultation
from donations.models import BankStatement, Campaign, Donation, Donor, Payment, Receipt, StatementLine
from hanamaru.models import Child, ConsentText, Enrolment
from jii.models import Language, LineLink
from matching.models import CheckIn, Match, ResidentCheckIn, Survey
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    ResidentFactory,
    SpotRequestFactory,
    VolunteerFactory,
)
from tests.hanamaru.conftest import session_in

# Every one of these is personal: none may be left anywhere once the records are anonymised or erased.
PERSONAL = [
    "Amina Rahimi", "amina@example.com", "080-5555-0101", "OFP-WORDS", "NEAR-STATION", "CHECK-IN-NOTE",
    "CHECK-IN-CONCERN", "SURVEY-COMMENT", "CLOSING-NOTE", "SPOT-WORDS", "SPOT-REPORT", "SPOT-THANKS", "Zahra",
    "Rahimi-Family", "PEANUT-ALLERGY", "SCHOOL-NAME", "ZAHRA-WAS-TIRED", "CASE-WORDS", "CASE-OUTCOME",
    "CASE-NOTE", "Tokyo Street 1", "GIFT-MESSAGE", "Kenji Volunteer", "kenji@example.jp", "VOLUNTEER-ABOUT",
    "DONOR-NICK", "DONOR-NOTE", "アミナ ラヒミ", "ｱﾐﾅ ﾗﾋﾐ",
    "RESIDENT-NEED",
]  # fmt: skip


def build(klass) -> dict:
    """The records, all ended now. Returns them by kind."""
    now = timezone.now()
    volunteer = VolunteerFactory(name="Kenji Volunteer", email="kenji@example.jp", last_login=now,
                                 profile__status="approved", profile__about="VOLUNTEER-ABOUT")  # fmt: skip
    profile = volunteer.volunteer_profile
    resident = ResidentFactory(name="Amina Rahimi", email="amina@example.com", phone="080-5555-0101",
                               household_type="refugee")  # fmt: skip
    LineLink.objects.create(line_user_id="U123", resident=resident)

    never_paired = ApplicationFactory(resident=resident, stage="withdrawn", message="OFP-WORDS",
                                      nearest_station="NEAR-STATION")  # fmt: skip
    paired = ApplicationFactory(resident=resident, stage="completed", message="OFP-WORDS")
    match = Match.objects.create(application=paired, volunteer=profile, status="completed", starts_on=date.today(),
                                 closed_at=now, end_reason="completed", end_note="CLOSING-NOTE")  # fmt: skip
    CheckIn.objects.create(
        match=match, month=1, met=True, mood="good", note="CHECK-IN-NOTE", concern="CHECK-IN-CONCERN"
    )
    ResidentCheckIn.objects.create(match=match, month=1, feeling="worried", need="RESIDENT-NEED")
    Survey.objects.create(match=match, kind="closing", respondent="resident", satisfaction=5, comment="SURVEY-COMMENT")

    spot = SpotRequestFactory(resident=resident, status="done", description="SPOT-WORDS", phone="080-5555-0101",
                              volunteer=profile, done_at=now, report="SPOT-REPORT", feedback="SPOT-THANKS",
                              minutes_spent=90)  # fmt: skip

    kid = Child.objects.create(guardian=resident, first_name="Zahra", family_name="Rahimi-Family", age=8,
                               school="SCHOOL-NAME", japanese_level="speaks", needs="PEANUT-ALLERGY")  # fmt: skip
    kid.home_languages.set(Language.objects.filter(code="fa"))
    Enrolment.objects.create(child=kid, klass=klass, status="withdrawn", consent=ConsentText.objects.latest(),
                             consented_at=now, enrolled_at=now, withdrawn_at=now)  # fmt: skip
    session = session_in(klass, days=-1)
    session.attendance_note = "ZAHRA-WAS-TIRED"
    session.save()

    case = Consultation.objects.create(resident=resident, topic="residence", description="CASE-WORDS", modes=["phone"],
                                       consented_at=now, status="closed", outcome="resolved",
                                       outcome_summary="CASE-OUTCOME", closed_at=now)  # fmt: skip
    CaseNote.objects.create(consultation=case, author=CoordinatorFactory(), text="CASE-NOTE")

    campaign = Campaign.objects.create(slug="c", title={"ja": "c"}, summary={"ja": "c"}, starts_on=date(2026, 1, 1),
                                       ends_on=date(2026, 12, 31), goal_new_monthly_supporters=5,
                                       goal_amount_yen=10_000)  # fmt: skip
    donor = Donor.objects.create(name="Amina Rahimi", name_kana="アミナ ラヒミ", email="amina@example.com",
                                 phone="080-5555-0101", address="Tokyo Street 1", notes="DONOR-NOTE")  # fmt: skip
    gift = Donation.objects.create(campaign=campaign, donor=donor, amount_yen=5000, status="active",
                                   name="Amina Rahimi", name_kana="アミナ ラヒミ", phone="080-5555-0101",
                                   email="amina@example.com", address="Tokyo Street 1", message="GIFT-MESSAGE",
                                   nickname="DONOR-NICK", consented_at=now, started_at=now)  # fmt: skip
    payment = Payment.objects.create(donation=gift, campaign=campaign, amount_yen=5000, received_at=now)
    receipt = Receipt.objects.create(number="2026-0001", fiscal_year=2026, sequence=1, donation=gift, payment=payment,
                                     donor_email="amina@example.com", amount_yen=5000, received_on=date.today(),
                                     donor_name="Amina Rahimi", donor_address="Tokyo Street 1",
                                     purpose="寄付")  # fmt: skip
    receipt.file.save("receipt.pdf", ContentFile(b"%PDF-1.4 Amina Rahimi"))
    unpaid = Donation.objects.create(campaign=campaign, donor=donor, amount_yen=3000, name="Amina Rahimi",
                                     email="amina@example.com", consented_at=now)  # fmt: skip
    statement = BankStatement.objects.create(file_name="statement.csv", format="sbi", checksum="c" * 64)
    StatementLine.objects.create(statement=statement, date=date.today(), amount_yen=7000, kana="ｱﾐﾅ ﾗﾋﾐ",
                                 reference="振込＊ｱﾐﾅ ﾗﾋﾐ", checksum="l" * 64, state="ignored")  # fmt: skip
    return {
        "resident": resident, "volunteer": volunteer, "never_paired": never_paired, "paired": paired, "spot": spot,
        "child": kid, "session": session, "case": case, "gift": gift, "receipt": receipt, "unpaid": unpaid,
    }  # fmt: skip


def personal_data_left() -> list[str]:
    """Every place in the programs' tables where one of the PERSONAL words is still written."""
    found = []
    for app in ["jii", "matching", "spot", "hanamaru", "consultations", "donations", "account"]:
        for model in apps.get_app_config(app).get_models():
            fields = [field for field in model._meta.concrete_fields
                      if isinstance(field, models.CharField | models.TextField | models.JSONField)]  # fmt: skip
            for row in model.objects.all():
                for field in fields:
                    value = str(getattr(row, field.attname))
                    found += [f"{model.__name__}.{field.name}: {word}" for word in PERSONAL if word in value]
    return found


def eight_years_on():
    return timezone.now() + timedelta(days=8 * 366)
