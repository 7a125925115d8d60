"""The campaign's preview card: a 1200×630 PNG of its progress in the page's language, cached until money moves."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from donations import preview
from donations.services import record_bank_transfer
from tests.donations.conftest import donation_for

pytestmark = pytest.mark.django_db


def card(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def filled(image, share: float, bar_top: int) -> bool:
    """Whether the bar whose top is at bar_top is filled at this share of its length."""
    x = preview.MARGIN + round(share * (preview.WIDTH - 2 * preview.MARGIN))
    return image.getpixel((x, bar_top + 11)) == Image.new("RGB", (1, 1), preview.FILL).getpixel((0, 0))


def test_the_card_is_a_large_image_of_the_progress_that_moves_with_the_money(
    client, campaign, during_campaign, django_capture_on_commit_callbacks
):
    url = f"/en/donate/{campaign.slug}/preview.png"
    before = card(client, url)
    assert before.size == (1200, 630)
    yen_bar = preview.BARS_TOP + preview.BAR_STEP + preview.BAR_OFFSET
    assert not filled(before, 0.4, yen_bar)
    with django_capture_on_commit_callbacks(execute=True):
        record_bank_transfer(
            donation=donation_for(campaign), amount_yen=750_000, received_on=date(2026, 11, 20), recorded_by=None
        )
    after = card(client, url)  # half of ¥1,500,000
    assert filled(after, 0.4, yen_bar) and not filled(after, 0.6, yen_bar)


def test_the_japanese_card_is_drawn_with_a_font_that_has_every_character_of_the_title(
    client, campaign, during_campaign
):
    assert card(client, f"/donate/{campaign.slug}/preview.png").size == (1200, 630)
    title = campaign.title["ja"]
    [(path, piece)] = preview.runs(title, "ja")  # one font for the whole title: the receipts' Japanese one
    assert piece == title and {ord(char) for char in title if char != " "} <= preview.characters(path)
    assert "ipaex" in path.lower() or "japanese" in path.lower()


def test_a_language_no_single_font_writes_gets_each_character_from_a_font_that_has_it(campaign):
    text = "गैर नाफामूलक संस्था (NPO) Japan Intercultural Intelligence"  # Devanagari and Latin, as in Nepali
    pieces = preview.runs(text, "ne")
    assert "".join(piece for _path, piece in pieces) == text and len(pieces) > 1
    for path, piece in pieces:
        assert {ord(char) for char in piece if not char.isspace()} <= preview.characters(path)


def test_the_page_points_to_its_card_with_its_size_and_a_description(client, campaign, during_campaign):
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html)[1]
    assert re.fullmatch(rf"http://127\.0\.0\.1:8000/en/donate/{campaign.slug}/preview\.png\?v=[\w-]+", image)
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{image}">' in html
    alt = "A kinder shared future: 0 of 50 new monthly or yearly supporters, ¥0 of ¥1,500,000"
    assert f'<meta property="og:image:alt" content="{alt}">' in html


def test_the_card_takes_a_fixed_number_of_queries_and_none_once_drawn(client, campaign, during_campaign):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            card(client, f"/en/donate/{campaign.slug}/preview.png")
        return len(captured)

    from django.core.cache import cache

    first = queries()
    assert queries() == 0  # drawn once, then from the cache
    for _ in range(10):
        donation_for(campaign)
    cache.clear()
    assert queries() == first
