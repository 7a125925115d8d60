"""What every benchmark shares: its own SQLite file (recreated each run) unless DATABASE_URL names a scratch
database, settings from the environment, and a freshly migrated database."""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="No directory at")

AS_IN_PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleTA=",  # base64 of a bench-only 32 bytes
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "False",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}


def configure(db_file: str, *, production: bool = False, **env) -> Path:
    """Point Django at bench/<db_file> (unless DATABASE_URL is set) before it starts; returns that path."""
    path = ROOT / "bench" / db_file
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{path}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name, value in {**(AS_IN_PRODUCTION if production else {}), **env}.items():
        os.environ[name] = value
    return path


def fresh_database(path: Path) -> None:
    """Start Django on a new database (the bench file is deleted first; a scratch server database is reused)."""
    if path.exists() and os.environ["DATABASE_URL"].endswith(str(path)):
        path.unlink()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(client, path, repeat=50):
    """Median and p95 milliseconds of GET path (after one warm-up), and the queries it runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    count = len(queries)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], count


def report(rows, size_label: str) -> None:
    """Print (size, page, median, p95, queries) rows as a table; exit 1 if a page's query count changes with size."""
    width = max(len(name) for _size, name, *_rest in rows)
    print(f"{size_label:>8}  {'page':<{width}} {'median ms':>9} {'p95 ms':>7} {'queries':>7}")
    for size, name, median, p95, count in rows:
        print(f"{size:>8}  {name:<{width}} {median:>9.1f} {p95:>7.1f} {count:>7}")
    by_page = {}
    for _size, name, *_timing, count in rows:
        by_page.setdefault(name, set()).add(count)
    if any(len(counts) != 1 for counts in by_page.values()):
        print("!! a page's query count changes with the data")
        sys.exit(1)


def sign_in_staff(client, user) -> None:
    """Sign a staff member in past both factors, as a coordinator's browser is after their authenticator code: an
    app set up for them, and the code recorded in the session the way allauth records it."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.http import HttpRequest

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    request = HttpRequest()
    request.session, request.user = client.session, user
    record_authentication(request, user, "mfa", type="totp")
    request.session.save()


def ready_to_help(profiles) -> None:
    """Approved volunteers as JII has them: oriented, insured for this year and bound by the pledge in force
    (jii/readiness.py), so the pages and rankings measured are those of volunteers who may help."""
    from django.utils import timezone

    from jii.models import ConfidentialityPledge, Insurance, Orientation, VolunteerProfile
    from jii.readiness import insurance_year

    ids = [profile.pk for profile in profiles]
    VolunteerProfile.objects.filter(pk__in=ids).update(pledge=ConfidentialityPledge.objects.current())
    today = timezone.localdate()
    Orientation.objects.bulk_create(Orientation(volunteer_id=pk, attended_on=today, session="bench") for pk in ids)
    Insurance.objects.bulk_create(Insurance(volunteer_id=pk, year=insurance_year(today)) for pk in ids)
