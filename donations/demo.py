"""The year-end campaign from JII's 2025 press release and campaign page (../shared/seeds), placed so that
the demo site always has a running campaign."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from donations.models import Campaign, Donation, Payment
from donations.services import donor_for

TIERS = [
    (
        3000,
        "外国人住民が役所などで直面する「手続きの困りごと」を1件サポート",
        "Helps a foreign resident solve one problem with an official procedure",
    ),
    (
        5000,
        "外国人住民1人が、日本の暮らしに馴染むための半年間の交流をサポート",
        "Supports six months of exchange for one foreign resident settling into life in Japan",
    ),
    (
        10000,
        "外国にルーツを持つ子どもたちの日本語学習クラスを1回開催",
        "Runs one Japanese class for children with foreign roots",
    ),
    (
        30000,
        "10人の外国人住民が日本人と出会うきっかけの場を創出",
        "Creates a chance for 10 foreign residents to meet Japanese neighbours",
    ),
    (
        100000,
        "地域の方々が多文化共生を学ぶ講座・イベントを開催",
        "Holds a course or event where local people learn about living together across cultures",
    ),
]


STORY_JA = (
    "約395万人の外国人が日本で暮らす今、すぐ近くにいる外国人が、どんな背景で日本にいて、どんな思いで暮らしているか、"
    "私たちはまだあまり知りません。\n\n"
    "小さな対話が生まれるだけで、相手への見方や気持ちに変化が生まれます。だからこそ私たちは、対立ではなく、"
    "“対話”から始まる社会を育てたい。ペアになった外国人住民と日本人が、半年間ゆるやかにお互いの暮らしを分かち合う"
    "「おとなりさん・ファミリーフレンド・プログラム」をはじめ、地域の人がつながる場を広げています。\n\n"
    "私たちの活動は、参加者の会費（15%）と、助成金や皆さまからのご寄付（85%）によって支えられています。"
)
STORY_EN = (
    "About 3.95 million foreign residents now live in Japan, yet we still know little about the neighbours right "
    "next to us: why they came, and how they feel about life here.\n\n"
    "A single small conversation changes how we see each other. That is why we want a society that starts from "
    "dialogue, not division: in the Otonari-san Family Friend Program a foreign resident and a Japanese neighbour "
    "share their everyday lives for six months, and our other programs widen the places where people meet.\n\n"
    "Our work is funded by participants' fees (15%) and by grants and gifts like yours (85%)."
)
VOICES = [
    ("おとなりさんのおかげで、日本語を話す自信がつき、食事や会話を通じて日本の文化をもっと学べるようになりました",
     "Thanks to my Otonari-san I gained confidence speaking Japanese and learned much more about Japanese culture "
     "over meals and conversation.", "40代男性・アメリカ／OFP", "Man in his 40s, USA / OFP"),
    ("保育園の見学予約や、その後入園手続きまでサポートしてもらえて本当に頼りになりました",
     "They helped us book a daycare visit and then all the way through the enrolment: truly reliable.",
     "30代夫婦・カナダ／スポットおとなりさん", "Couple in their 30s, Canada / Spot Otonari-san"),
    ("親が教えられない部分を丁寧に教えてもらえてとても助かっています",
     "They carefully teach what we parents cannot: it helps us so much.",
     "40代女性・アメリカ／はなまるクラス", "Woman in her 40s, USA / Hanamaru class"),
]  # fmt: skip


def campaign_period(today: date) -> tuple[date, date]:
    """JII's year-end period (11/5–12/25) when today falls in it; otherwise a period of the same length
    around today, so the demo always has a running campaign."""
    starts, ends = date(today.year, 11, 5), date(today.year, 12, 25)
    if starts <= today <= ends:
        return starts, ends
    starts = today - timedelta(days=16)
    return starts, starts + (ends - date(today.year, 11, 5))


def load() -> str:
    starts_on, ends_on = campaign_period(timezone.localdate())
    campaign, created = Campaign.objects.update_or_create(
        slug=f"chiisana-rikai-{starts_on.year}",
        defaults={
            "title": {
                "ja": "「小さな理解」から広がる やさしい共生の未来",
                "en": "A kinder shared future that grows from small moments of understanding",
            },
            "summary": {
                "ja": (
                    "つながりが途切れがちな年末年始に向けて、外国人住民と日本人が“対話”でつながる地域を育てる"
                    "マンスリーサポーターを募集しています。"
                ),
                "en": (
                    "Ahead of the year-end holidays, when connections fade, we are looking for monthly supporters "
                    "to grow neighbourhoods where foreign and Japanese residents connect through dialogue."
                ),
            },
            "starts_on": starts_on,
            "ends_on": ends_on,
            "goal_new_monthly_supporters": 50,
            "goal_amount_yen": 1_500_000,
            "story": {"ja": STORY_JA, "en": STORY_EN},
            "is_published": True,
        },
    )
    for amount, impact_ja, impact_en in TIERS:
        campaign.tiers.update_or_create(amount_yen=amount, defaults={"impact": {"ja": impact_ja, "en": impact_en}})
    for position, (quote_ja, quote_en, who_ja, who_en) in enumerate(VOICES):
        campaign.voices.update_or_create(
            position=position, defaults={"quote": {"ja": quote_ja, "en": quote_en}, "who": {"ja": who_ja, "en": who_en}}
        )
    gifts = load_gifts(campaign)
    return f"campaign {campaign.slug} with {campaign.tiers.count()} suggested amounts and {gifts} gifts"


# 23 new monthly or yearly supporters (of 50: these 21, one whose card failed and one yearly), and ¥870,000 received
# in all: both bars on the demo page move.
MONTHLY_AMOUNTS = [1000] * 6 + [3000] * 7 + [5000] * 5 + [10000] * 3
MESSAGES = [
    ("さくら", "小さな対話から、やさしい地域を。応援しています！"),
    ("Tom", "Proud to support neighbours helping neighbours."),
    ("", "子どもたちの日本語クラス、これからも続きますように。"),
]
Method, Status, Frequency = Donation.Method, Donation.Status, Donation.Frequency
# One gift in each state a payment method can be in (¥ amounts, status, and what staff see on the gift).
METHOD_STATES = [
    ("card", Frequency.ONCE, 30000, Status.ACTIVE, {}),
    ("konbini", Frequency.ONCE, 5000, Status.PENDING, {}),  # the voucher is out, not paid yet
    ("konbini", Frequency.ONCE, 3000, Status.UNPAID, {}),  # the voucher expired
    ("konbini", Frequency.ONCE, 10000, Status.ACTIVE, {}),
    ("paypay", Frequency.ONCE, 5000, Status.ACTIVE, {}),
    ("jp_bank_transfer", Frequency.ONCE, 50000, Status.PENDING, {"funded_yen": 20000}),  # part arrived
    ("jp_bank_transfer", Frequency.ONCE, 30000, Status.ACTIVE, {"excess_yen": 2000}),  # paid too much
    ("bank_transfer", Frequency.ONCE, 100000, Status.ACTIVE, {}),
    ("bank_transfer", Frequency.ONCE, 10000, Status.PENDING, {}),  # said they would transfer; not matched yet
    ("card", Frequency.MONTHLY, 3000, Status.PAST_DUE, {}),  # a monthly card payment failed
    ("card", Frequency.YEARLY, 36000, Status.ACTIVE, {}),
    ("channel", Frequency.ONCE, 20000, Status.ACTIVE, {}),  # through Give One: no JII receipt
]
TOTAL_YEN = 870_000


@transaction.atomic
def load_gifts(campaign: Campaign) -> int:
    """Gifts spread over the campaign so far, written directly (no emails, no receipts: they are the demo's past).
    Only once: a campaign that already has gifts keeps them."""
    if campaign.donations.exists():
        return campaign.donations.count()
    tz = timezone.get_current_timezone()
    start = datetime.combine(campaign.starts_on, time(9), tzinfo=tz)
    days = max((timezone.localdate() - campaign.starts_on).days, 1)
    gifts = [("card", Frequency.MONTHLY, amount, Status.ACTIVE, {}) for amount in MONTHLY_AMOUNTS] + METHOD_STATES
    paid_so_far = sum(amount for _m, _f, amount, status, _e in gifts if status in (Status.ACTIVE, Status.PAST_DUE))
    gifts.append(("card", Frequency.ONCE, TOTAL_YEN - paid_so_far, Status.ACTIVE, {}))  # a company's gift
    for i, (method, frequency, amount, status, extra) in enumerate(gifts):
        when = start + timedelta(days=days * i / len(gifts), hours=i % 9)
        nickname, message = MESSAGES[i % len(MESSAGES)] if i % 7 == 3 else ("", "")
        name, kana, email = f"デモ寄付者 {i + 1}", f"デモキフシャ {i + 1}", f"donor{i + 1}@example.org"
        donation = Donation.objects.create(
            campaign=campaign, donor=donor_for(email=email, name=name, name_kana=kana), method=method,
            channel="Give One" if method == Method.OTHER_CHANNEL else "", frequency=frequency, amount_yen=amount,
            status=status, status_at=when, name=name, name_kana=kana, email=email,
            language="ja" if i % 3 else "en", consented_at=when, created_at=when,
            show_as=Donation.ShowAs.NICKNAME if nickname else Donation.ShowAs.ANONYMOUS, nickname=nickname,
            message=message, message_status=Donation.MessageStatus.APPROVED if message else Donation.MessageStatus.NONE,
            started_at=when if status in (Status.ACTIVE, Status.PAST_DUE) else None,
            excess_at=when if extra.get("excess_yen") else None, **extra,
        )  # fmt: skip
        if donation.started_at:
            reference = f"giveone:demo-{i}" if method == Method.OTHER_CHANNEL else f"pi_demo_{i}"
            Payment.objects.create(
                donation=donation, campaign=campaign, amount_yen=amount, received_at=when,
                stripe_reference=None if method == Method.BANK_TRANSFER else reference,
            )  # fmt: skip
    return len(gifts)
