"""Demo volunteers and residents. People are fictional; areas, household mix (among JII's four groups about 40%
families, 30% single workers, 20% students, 10% refugees, plus one "other") and languages follow JII's own
figures (../shared/seeds)."""

from datetime import date

from allauth.account.models import EmailAddress
from django.utils import timezone

from jii.choices import Experience, Gender, HouseholdType, Interest, LanguageLevel, Prefecture, SpotCategory
from jii.models import Area, ConfidentialityPledge, Language, Resident, User, VolunteerProfile
from jii.readiness import insurance_year
from jii.services import find_or_create_resident

G, P, H, X, IN, S, L = Gender, Prefecture, HouseholdType, Experience, Interest, SpotCategory, LanguageLevel

# fmt: off
# email, name, gender, area, station, languages, availability, experience, interests, spot, status
VOLUNTEERS = [
    ("sato.haruka@example.jp", "佐藤 春香", G.FEMALE, "tokyo-meguro", "学芸大学",
     {"ja": L.NATIVE, "en": L.FLUENT},
     ["sat:morning", "sat:afternoon", "sun:afternoon"], [X.RAISING_CHILDREN], [IN.COOKING, IN.SEASONAL_EVENTS],
     [S.CHILDREN, S.HEALTHCARE], "approved"),
    ("tanaka.kenji@example.jp", "田中 健二", G.MALE, "tokyo-setagaya", "三軒茶屋",
     {"ja": L.NATIVE, "zh": L.CONVERSATIONAL},
     ["wed:evening", "sat:afternoon"], [X.LIVING_ABROAD], [IN.FILMS, IN.TRAVEL], [S.INFRASTRUCTURE], "approved"),
    ("suzuki.mayumi@example.jp", "鈴木 真由美", G.FEMALE, "tokyo-shinjuku", "高田馬場",
     {"ja": L.NATIVE, "en": L.CONVERSATIONAL},
     ["mon:morning", "tue:morning", "thu:morning"], [X.TEACHING_JAPANESE, X.RAISING_CHILDREN], [IN.READING],
     [S.CHILDREN, S.WELFARE], "approved"),
    ("takahashi.shota@example.jp", "高橋 翔太", G.MALE, "tokyo-nerima", "練馬",
     {"ja": L.NATIVE, "vi": L.BASIC},
     ["sun:morning", "sun:afternoon"], [], [IN.SPORTS, IN.MUSIC], [S.INFRASTRUCTURE], "pending"),
    ("ito.akiko@example.jp", "伊藤 明子", G.FEMALE, "tokyo-edogawa", "葛西",
     {"ja": L.NATIVE, "en": L.FLUENT},
     ["fri:afternoon", "sat:morning"], [X.SUPPORTING_REFUGEES, X.CAREGIVING], [IN.GARDENING],
     [S.WELFARE, S.HEALTHCARE], "approved"),
    ("watanabe.yuki@example.jp", "渡辺 由紀", G.FEMALE, "kanagawa-yokohama-naka", "関内",
     {"ja": L.NATIVE, "es": L.CONVERSATIONAL},
     ["sat:afternoon", "sun:afternoon"], [X.LIVING_ABROAD, X.RAISING_CHILDREN], [IN.COOKING, IN.TRAVEL],
     [S.CHILDREN], "approved"),
    ("yamamoto.daisuke@example.jp", "山本 大輔", G.MALE, "kanagawa-kawasaki-nakahara", "武蔵小杉",
     {"ja": L.NATIVE, "en": L.FLUENT},
     ["tue:evening", "thu:evening"], [X.INTERPRETING], [IN.SPORTS], [S.INFRASTRUCTURE, S.WELFARE], "approved"),
    ("nakamura.emi@example.jp", "中村 恵美", G.FEMALE, "chiba-chiba-chuo", "千葉",
     {"ja": L.NATIVE, "tl": L.BASIC},
     ["wed:morning", "sat:morning"], [X.RAISING_CHILDREN, X.CAREGIVING], [IN.COOKING], [S.HEALTHCARE], "approved"),
    ("kobayashi.takeshi@example.jp", "小林 武", G.MALE, "chiba-funabashi", "船橋",
     {"ja": L.NATIVE, "en": L.CONVERSATIONAL},
     ["sun:morning"], [], [IN.MUSIC, IN.SEASONAL_EVENTS], [S.INFRASTRUCTURE], "pending"),
    ("kato.naomi@example.jp", "加藤 直美", G.FEMALE, "saitama-saitama-urawa", "浦和",
     {"ja": L.NATIVE, "ko": L.FLUENT},
     ["mon:afternoon", "sat:afternoon"], [X.TEACHING_JAPANESE], [IN.READING, IN.FILMS], [S.CHILDREN], "approved"),
    ("yoshida.ryo@example.jp", "吉田 亮", G.MALE, "saitama-kawaguchi", "川口",
     {"ja": L.NATIVE, "ne": L.BASIC, "en": L.BASIC},
     ["sat:evening", "sun:evening"], [X.LIVING_ABROAD], [IN.SPORTS, IN.COOKING], [S.WELFARE], "approved"),
]

# email, name, household, prefecture, municipality, languages, email language
RESIDENTS = [
    ("emily.johnson@example.com", "Emily Johnson", H.FAMILY, P.TOKYO, "目黒区", ["en"], "en"),
    ("li.na@example.com", "Li Na", H.FAMILY, P.TOKYO, "世田谷区", ["zh", "ja"], "ja"),
    ("nguyen.thi.lan@example.com", "Nguyen Thi Lan", H.FAMILY, P.CHIBA, "船橋市", ["vi"], "en"),
    ("maria.santos@example.com", "Maria Santos", H.FAMILY, P.KANAGAWA, "横浜市中区", ["tl", "en"], "en"),
    ("ryan.miller@example.com", "Ryan Miller", H.SINGLE_WORKER, P.TOKYO, "新宿区", ["en"], "en"),
    ("bishnu.thapa@example.com", "Bishnu Thapa", H.SINGLE_WORKER, P.SAITAMA, "川口市", ["ne", "en"], "en"),
    ("kim.jiwoo@example.com", "Kim Ji-woo", H.SINGLE_WORKER, P.SAITAMA, "さいたま市浦和区", ["ko", "ja"], "ja"),
    ("tran.van.minh@example.com", "Tran Van Minh", H.STUDENT, P.TOKYO, "練馬区", ["vi", "ja"], "ja"),
    ("chen.wei@example.com", "Chen Wei", H.STUDENT, P.KANAGAWA, "川崎市中原区", ["zh"], "en"),
    ("olena.kovalenko@example.com", "Olena Kovalenko", H.REFUGEE, P.SAITAMA, "川口市", ["uk", "ru", "en"], "en"),
    # Outside JII's four groups, e.g. a spouse who came to Japan with a Japanese partner.
    ("ana.oliveira@example.com", "Ana Oliveira", H.OTHER, P.KANAGAWA, "横浜市中区", ["pt", "es"], "en"),
]
# fmt: on


def load() -> str:
    languages = {language.code: language for language in Language.objects.all()}
    areas = {area.code: area for area in Area.objects.all()}
    for email, name, gender, area, station, spoken, slots, exp, interests, spot, status in VOLUNTEERS:
        # The demo's emails spell the given name in rōmaji: sato.haruka@… → Haruka.
        latin = email.split("@")[0].split(".")[-1].capitalize()
        user, _ = User.objects.get_or_create(
            email=email, defaults={"name": name, "language": "ja", "given_name_latin": latin}
        )
        if not user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        # get_or_create: a second run leaves what a coordinator changed since (e.g. an approval) alone.
        profile, _ = VolunteerProfile.objects.get_or_create(
            user=user,
            defaults={
                "gender": gender,
                "area": areas[area],
                "nearest_station": station,
                "availability": slots,
                "experience": exp,
                "interests": interests,
                "spot_categories": spot,
                "status": status,
                "pledge": ConfidentialityPledge.objects.current(),
                "pledged_at": timezone.now(),
            },
        )
        for code, level in spoken.items():
            profile.languages.get_or_create(language=languages[code], defaults={"level": level})
        if status == "approved":  # attended an orientation and insured for this year, as JII asks
            profile.orientations.get_or_create(defaults={"attended_on": date(2026, 4, 18), "session": "JII office"})
            profile.insurances.get_or_create(year=insurance_year(timezone.localdate()))

    for email, name, household, pref, city, spoken, language in RESIDENTS:
        find_or_create_resident(
            email=email,
            language=language,
            name=name,
            household_type=household,
            prefecture=pref,
            municipality=city,
            languages=[languages[code] for code in spoken],
        )
    volunteers = VolunteerProfile.objects.count()
    return f"{volunteers} volunteers, {Resident.objects.count()} residents"
