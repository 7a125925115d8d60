"""The donor register (寄付者名簿) of a fiscal year, and the public-support-test figure: how many donors gave
¥3,000 or more in the year (認定NPO法人 status needs 100 such donors a year on average)."""

import re
import unicodedata
from collections import defaultdict

from django.db.models import Count, F, IntegerField, Max, Min, Sum
from django.db.models.functions import Cast

from donations.models import Donation, Payment
from donations.selectors import fiscal_year_bounds
from jii.privacy import ERASED

PUBLIC_SUPPORT_MINIMUM_YEN = 3000


def payments_of_year(year: int):
    start, end = fiscal_year_bounds(year)
    return Payment.objects.filter(received_at__gte=start, received_at__lt=end)


def donors_of_year(year: int):
    """One row per donor (every gift of one email in any letter case, or merged by staff) and channel: what they
    gave. Gifts through another channel (Give One, Benevity…) are a row of their own, with the channel's name,
    since the channel, not JII, issued their receipt."""
    return (
        payments_of_year(year)
        .values("donation__donor", "donation__channel")
        .annotate(
            name=Max("donation__donor__name"),
            email=Max("donation__donor__email"),
            address=Max("donation__donor__address"),
            gifts=Count("id"),
            total=Sum(F("amount_yen") - F("refunded_yen")),
            first=Min("received_at"),
            last=Max("received_at"),
            # 1 only if every gift allowed listing the name (MIN over booleans, portable across databases).
            named=Min(Cast("donation__accounting_consent", output_field=IntegerField())),
        )
        .order_by("name", "donation__donor", "donation__channel")
    )


DASHES = "‐‑‒–—―−－ｰー"  # the hyphens, dashes and long vowel marks people type between numbers


def normalised_address(address: str) -> str:
    """An address as one household writes it in many ways: full-width or not, with or without the postal code or
    spaces, 5丁目27番5号 or 5-27-5."""
    text = unicodedata.normalize("NFKC", address).lower()
    text = re.sub(r"^〒?\s*\d{3}-?\d{4}", "", text.strip())
    text = re.sub(r"\s+", "", text)
    text = re.sub(f"[{DASHES}]", "-", text)
    text = re.sub(r"(\d+)(丁目|番地|番|の)", r"\1-", text)
    text = re.sub(r"(\d+)号", r"\1", text)
    return text.strip("-")


def family_name(name: str) -> str:
    """The family name: first in a Japanese name (山田 花子), last in a name in Latin letters (Hanako Yamada). A
    name written without a space (山田花子) is kept whole, so such a donor is never merged into a household."""
    words = unicodedata.normalize("NFKC", name).split()
    if not words:
        return ""
    return words[0] if not words[0].isascii() else words[-1].lower()


def public_support_count(year: int) -> int:
    """The donors who count towards the 認定NPO法人 public support test (パブリック・サポート・テスト) under its
    absolute standard (絶対値基準): donors who gave ¥3,000 or more in the fiscal year, needed on average 100 a year
    (年平均100人). As the rules count them:
    - only donors whose name and address are known (氏名・住所が明らかな者): a gift without them does not count;
    - people of one household (同一生計) count as one donor, their gifts added up. A household is read as the same
      family name at the same address, once both are normalised (see normalised_address and family_name);
    - gifts through another channel (Give One, Benevity…) are left out: the channel receives the gift and grants it
      on, so it is the channel's gift in JII's books, not the person's.
    Refunds are taken off; a person's gifts under two emails count once after staff merge the two donors."""
    rows = (
        payments_of_year(year)
        .exclude(donation__method=Donation.Method.OTHER_CHANNEL)
        .exclude(donation__donor=None)
        .values("donation__donor")
        .annotate(
            total=Sum(F("amount_yen") - F("refunded_yen")),
            name=Max("donation__donor__name"),
            address=Max("donation__donor__address"),
        )
    )
    households = defaultdict(int)
    for row in rows:
        name, address = row["name"].strip(), normalised_address(row["address"])
        if name in ("", ERASED) or not address:
            continue
        households[(family_name(name), address)] += row["total"] or 0
    return sum(1 for total in households.values() if total >= PUBLIC_SUPPORT_MINIMUM_YEN)
