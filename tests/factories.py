import time
from datetime import date

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.utils import timezone

from jii.choices import HouseholdType, LanguageLevel, Prefecture
from jii.models import (
    Area,
    ConfidentialityPledge,
    Insurance,
    Language,
    Orientation,
    Resident,
    User,
    VolunteerLanguage,
    VolunteerProfile,
)
from jii.readiness import insurance_year

PASSWORD = "correct horse battery staple"
# Staff's authenticator app: the secret it was set up with (base32, as the QR code carries it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret=TOTP_SECRET):
    """The code the authenticator app shows now (allauth's own arithmetic), never one about to expire."""
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_second_factor(user, secret=TOTP_SECRET):
    """The user has set up an authenticator app (allauth.mfa)."""
    TOTP.activate(user, secret)
    return user


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"volunteer{n}@example.jp")
    name = factory.Faker("name", locale="ja_JP")
    language = "ja"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class VolunteerFactory(UserFactory):
    """A user with a volunteer profile; `profile__status` chooses pending or approved."""

    profile = factory.RelatedFactory("tests.factories.VolunteerProfileFactory", factory_related_name="user")


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    status = VolunteerProfile.Status.PENDING
    gender = "female"
    area = factory.LazyFunction(lambda: Area.objects.get(code="tokyo-meguro"))
    nearest_station = "学芸大学"
    availability = ["sat:morning", "sun:afternoon"]
    spot_categories = ["children"]
    # Signed up through the profile form, which asks for the current confidentiality pledge.
    pledge = factory.LazyFunction(lambda: ConfidentialityPledge.objects.current())
    pledged_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(profile, create, extracted, **kwargs):
        if create:
            for code, level in extracted or [("ja", LanguageLevel.NATIVE), ("en", LanguageLevel.CONVERSATIONAL)]:
                VolunteerLanguage.objects.create(
                    volunteer=profile, language=Language.objects.get(code=code), level=level
                )

    @factory.post_generation
    def ready(profile, create, extracted, **kwargs):
        """Oriented and insured for this insurance year, as JII's volunteers are (`ready=False`: neither)."""
        if create and extracted is not False:
            Orientation.objects.create(volunteer=profile, attended_on=date(2024, 4, 20), session="Online")
            Insurance.objects.create(volunteer=profile, year=insurance_year(timezone.localdate()))


class CoordinatorFactory(UserFactory):
    """Staff, with an authenticator app set up (the admin opens for no one without): `second_factor=False` for
    one who has not set it up yet."""

    email = factory.Sequence(lambda n: f"coordinator{n}@example.org")
    is_staff = True

    @factory.post_generation
    def second_factor(user, create, extracted, **kwargs):
        if create and extracted is not False:
            with_second_factor(user)

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create:
            user.groups.set(Group.objects.filter(name__in=extracted or ["coordinators"]))


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="en_US")
    email = factory.Sequence(lambda n: f"resident{n}@example.com")
    phone = "090-1234-5678"
    prefecture = Prefecture.TOKYO
    municipality = "目黒区"
    household_type = HouseholdType.FAMILY
    language = "en"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An OFP application from a resident in Meguro who speaks English and is free on weekend afternoons."""

    class Meta:
        model = "matching.Application"
        skip_postgeneration_save = True

    resident = factory.SubFactory(ResidentFactory)
    household_type = HouseholdType.FAMILY
    adults = 2
    children_ages = [4]
    japanese_level = "basic"
    area = factory.LazyFunction(lambda: Area.objects.get(code="tokyo-meguro"))
    nearest_station = "中目黒"
    availability = ["weekend:afternoon"]
    hopes = ["child_rearing"]
    interests = ["cooking"]
    gender_preference = "any"
    consented_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(application, create, extracted, **kwargs):
        if create:
            application.languages.set(Language.objects.filter(code__in=extracted or ["en"]))


def approved_volunteer(area="tokyo-meguro", languages=(("ja", "native"), ("en", "conversational")), **profile):
    """An approved volunteer; keyword arguments set profile fields (availability, experience, gender…)."""
    profile.setdefault("availability", ["sat:afternoon", "sun:afternoon"])
    user = VolunteerFactory(
        profile__status="approved",
        profile__area=Area.objects.get(code=area),
        profile__languages=list(languages),
        **{f"profile__{name}": value for name, value in profile.items()},
    )
    return user.volunteer_profile


class SpotRequestFactory(factory.django.DjangoModelFactory):
    """An open Spot request: a resident in Meguro who needs a clinic and speaks English."""

    class Meta:
        model = "spot.SpotRequest"
        skip_postgeneration_save = True

    resident = factory.SubFactory(ResidentFactory)
    category = "healthcare"
    topic = "find_clinic"
    description = "My son has a fever at night. Which clinic near Gakugei-daigaku can see children?"
    modes = ["phone", "in_person"]
    area = factory.LazyFunction(lambda: Area.objects.get(code="tokyo-meguro"))
    urgency = 2
    consented_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(spot_request, create, extracted, **kwargs):
        if create:
            spot_request.languages.set(Language.objects.filter(code__in=extracted or ["en"]))
