"""Donations staff import the bank's statement in a real browser: a file of another bank is refused with its reason,
the zengin file is taken, Yamada Hanako's promised transfer is chosen already, and one click records it."""

from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from donations.models import Campaign, Donation
from tests.browser.conftest import DESKTOP
from tests.browser.test_ofp_browser import log_in
from tests.donations.conftest import donation_for
from tests.donations.test_bank_statements import STATEMENTS
from tests.factories import CoordinatorFactory
from tests.page_checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db):
    campaign = Campaign.objects.create(
        slug="year-end", title={"ja": "やさしい共生の未来", "en": "A kinder shared future"},
        summary={"ja": "…", "en": "…"}, starts_on=datetime(2026, 11, 1).date(), ends_on=datetime(2026, 12, 31).date(),
        goal_new_monthly_supporters=50, goal_amount_yen=1_500_000, is_published=True,
    )  # fmt: skip
    hanako = donation_for(
        campaign, name="山田 花子", name_kana="ヤマダ ハナコ", method=Donation.Method.BANK_TRANSFER,
        created_at=timezone.make_aware(datetime(2026, 11, 3, 10)),
    )  # fmt: skip
    return {"staff": CoordinatorFactory(groups=["donations staff"]).email, "hanako": hanako}


def test_staff_import_the_statement_and_confirm_the_proposed_transfer(setup, new_page, tmp_path, screenshot_dir):
    other_bank = tmp_path / "rakuten.csv"
    other_bank.write_bytes("取引日,入出金(円),取引後残高(円),入出金内容\n20261110,5000,5000,ﾔﾏﾀﾞ\n".encode("cp932"))
    page = new_page(viewport=DESKTOP, bypass_csp=True, locale="en-US")
    log_in(page, setup["staff"], "/en/admin/donations/donation/")
    page.get_by_role("link", name="Import a bank statement").click()
    violations = axe_violations(page)

    page.get_by_label("Bank statement").set_input_files(other_bank)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".errorlist")).to_contain_text("This file is neither a zengin")

    page.get_by_label("Bank statement").set_input_files(STATEMENTS / "zengin_2026-11.txt")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".messagelist")).to_contain_text("New lines: 5. Already imported: 0.")
    choice = page.get_by_label("2026-11-10 ¥5,000 ﾔﾏﾀﾞ ﾊﾅｺ")
    expect(choice).to_have_value(str(setup["hanako"].pk))  # the same name: chosen already
    page.get_by_label("2026-11-30 ¥12 ﾘｿｸ").select_option(label="Not a gift: ignore")
    violations += axe_violations(page)
    page.screenshot(path=screenshot_dir / "bank-statement-lines.png", full_page=True)
    page.get_by_role("button", name="Confirm the chosen lines").click()
    expect(page.locator(".messagelist")).to_contain_text("Transfers recorded: 1. Lines ignored: 1.")
    expect(page.locator("#statement-lines tbody tr")).to_have_count(3)  # the three left for later
    assert violations == []
