"""The embedded default needs nothing set; production values pass Django's deploy checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "cache": settings.CACHES["default"]["BACKEND"],
    "proxies": getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0),
}))
"""


def clean_env(**values):
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    # ENV_FILE="" so that a developer's own .env does not leak into what "nothing set" means.
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "ENV_FILE": "", **values}


def settings_with(**values):
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean_env(**values), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_means_sqlite_eager_celery_and_console_email():
    found = settings_with()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"


def test_database_url_and_redis_url_switch_to_the_real_stack():
    found = settings_with(DATABASE_URL="postgres://jii@db:5432/jii", REDIS_URL="redis://redis:6379/0")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["eager"] is False
    assert found["broker"] == "redis://redis:6379/0"
    assert found["cache"] == "jii.cache.ReusingRedisCache"


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=clean_env(DEBUG="False", ALLOWED_HOSTS="otonari.j-ii.org"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("keys", [None, "", "not-a-fernet-key"])
def test_production_refuses_to_start_without_a_valid_field_encryption_key(keys):
    production = {"DEBUG": "False", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "otonari.j-ii.org"}
    if keys is not None:
        production["FIELD_ENCRYPTION_KEYS"] = keys
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean_env(**production), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_an_invalid_boolean_fails_at_start_instead_of_meaning_false():
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean_env(DEBUG="nope"), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_values_pass_the_deploy_checks_without_warnings():
    env = clean_env(
        DEBUG="False",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2vL9" * 6,
        ALLOWED_HOSTS="otonari.j-ii.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    # Without it, every visitor behind the proxy has the proxy's address, and shares its login and form limits.
    assert settings_with()["proxies"] == 0
    assert settings_with(TRUSTED_PROXY_COUNT="1")["proxies"] == 1
