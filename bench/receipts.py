"""Receipt benchmark: milliseconds per receipt and bytes per file over 200 receipts, against the toolchain's floor
(WeasyPrint rendering a one-line page in the same font). Targets: at most 2x the floor, at most 250 ms a receipt,
under 60 KB a file. Runs on its own SQLite file. Usage: .venv/bin/python bench/receipts.py [--count 200]
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
    from donations.receipts import issue_for_payment

    campaign = Campaign.objects.create(
        slug="bench", title_ja="「小さな理解」から広がる やさしい共生の未来", title_en="A kinder shared future",
        summary_ja="…", summary_en="…", starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 25),
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
    timings, sizes = [], []
    for payment in payments[1:]:
        started = time.perf_counter()
        receipt = issue_for_payment(payment)
        timings.append((time.perf_counter() - started) * 1000)
        sizes.append(receipt.file.size)
    per_receipt, floor_ms = statistics.median(timings), statistics.median(floor)
    print(f"{len(timings)} receipts: median {per_receipt:.1f} ms (p95 {sorted(timings)[int(len(timings) * .95)]:.1f}), "
          f"median {statistics.median(sizes) / 1024:.1f} KB, largest {max(sizes) / 1024:.1f} KB")  # fmt: skip
    print(f"one-line page in {settings.RECEIPT_FONT_FAMILY}: {floor_ms:.1f} ms -> ratio {per_receipt / floor_ms:.2f}")
    met = per_receipt <= 2 * floor_ms and per_receipt <= 250 and max(sizes) < 60 * 1024
    print("targets met" if met else "!! a target is missed")


if __name__ == "__main__":
    main()
