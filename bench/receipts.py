"""Receipt benchmark: milliseconds per receipt and bytes per file over 200 receipts, against the toolchain's floor
(WeasyPrint rendering a one-line page in the same font). Targets: the receipt's PDF at most 2x the floor, at most
250 ms to issue a receipt (number, PDF, stored file, database row), under 60 KB a file. Runs on its own
SQLite file. Usage: .venv/bin/python bench/receipts.py [--count 200]
"""

import argparse
import statistics
import tempfile
import time
from datetime import date

from common import configure, fresh_database  # noqa: E402 (bench/common.py sets the path)

BENCH_DB = configure("bench-receipts.sqlite3", MEDIA_ROOT=tempfile.mkdtemp(prefix="receipts-bench-"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    fresh_database(BENCH_DB)
    from django.conf import settings
    from django.utils import timezone
    from weasyprint import HTML

    from donations.models import Campaign, Donation, Payment
    from donations.receipt_pdf import render_pdf
    from donations.receipts import issue_for_payment

    campaign = Campaign.objects.create(
        slug="bench", title={"ja": "「小さな理解」から広がる やさしい共生の未来", "en": "A kinder shared future"},
        summary={"ja": "…", "en": "…"}, starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 25),
        goal_new_monthly_supporters=50, goal_amount_yen=1_500_000,
    )  # fmt: skip
    now = timezone.now()
    payments = []
    for i in range(args.count):
        donation = Donation.objects.create(
            campaign=campaign, amount_yen=3000 + i, name=f"山田 花子 {i}", email=f"d{i}@example.jp",
            address="東京都目黒区下目黒5-27-5", consented_at=now, language="ja" if i % 4 else "en",
        )  # fmt: skip
        payments.append(
            Payment.objects.create(donation=donation, campaign=campaign, amount_yen=3000 + i, received_at=now)
        )

    floor_html = f'<p style="font-family: {settings.RECEIPT_FONT_FAMILY}">寄付 Receipt</p>'
    HTML(string=floor_html).write_pdf()  # load fonts once
    floor = []
    for _ in range(20):
        started = time.perf_counter()
        HTML(string=floor_html).write_pdf()
        floor.append((time.perf_counter() - started) * 1000)

    issue_for_payment(payments[0])  # warm templates
    issuing, rendering, sizes = [], [], []
    for payment in payments[1:]:
        started = time.perf_counter()
        receipt = issue_for_payment(payment)
        issuing.append((time.perf_counter() - started) * 1000)
        sizes.append(receipt.file.size)
        started = time.perf_counter()
        render_pdf(receipt)
        rendering.append((time.perf_counter() - started) * 1000)
    issue_ms, render_ms, floor_ms = statistics.median(issuing), statistics.median(rendering), statistics.median(floor)
    p95 = sorted(issuing)[int(len(issuing) * 0.95)]
    print(f"{len(issuing)} receipts issued (number, PDF, file, row): median {issue_ms:.1f} ms, p95 {p95:.1f} ms")
    median_kb, largest_kb = statistics.median(sizes) / 1024, max(sizes) / 1024
    print(f"  of which the PDF: median {render_ms:.1f} ms; files median {median_kb:.1f} KB, max {largest_kb:.1f} KB")
    font = settings.RECEIPT_FONT_FAMILY
    print(f"one-line page in {font}: {floor_ms:.1f} ms -> PDF ratio {render_ms / floor_ms:.2f}, "
          f"issuing ratio {issue_ms / floor_ms:.2f}")  # fmt: skip
    met = render_ms <= 2 * floor_ms and issue_ms <= 250 and max(sizes) < 60 * 1024
    print("targets met (PDF <= 2x floor, <= 250 ms a receipt, < 60 KB)" if met else "!! a target is missed")


if __name__ == "__main__":
    main()
