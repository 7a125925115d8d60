"""The year-end campaign from JII's 2025 press release and campaign page (../shared/seeds), placed so that
the demo site always has a running campaign."""

from datetime import date, timedelta

from django.utils import timezone

from donations.models import Campaign

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
            "title_ja": "「小さな理解」から広がる やさしい共生の未来",
            "title_en": "A kinder shared future that grows from small moments of understanding",
            "summary_ja": (
                "つながりが途切れがちな年末年始に向けて、外国人住民と日本人が“対話”でつながる地域を育てる"
                "マンスリーサポーターを募集しています。"
            ),
            "summary_en": (
                "Ahead of the year-end holidays, when connections fade, we are looking for monthly supporters "
                "to grow neighbourhoods where foreign and Japanese residents connect through dialogue."
            ),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "goal_new_monthly_supporters": 50,
            "goal_amount_yen": 1_500_000,
            "is_published": True,
        },
    )
    for amount, impact_ja, impact_en in TIERS:
        campaign.tiers.update_or_create(amount_yen=amount, defaults={"impact_ja": impact_ja, "impact_en": impact_en})
    return f"campaign {campaign.slug} with {campaign.tiers.count()} suggested amounts"
