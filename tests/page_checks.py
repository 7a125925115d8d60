"""The page checkers the suite runs locally from node_modules/ (`npm ci`, package.json): the Nu HTML checker
(vnu.jar, on Java) and axe-core (injected into a Playwright page). No CDN, no network."""

import json
import shutil
import subprocess
import tempfile
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SERIOUS = {"serious", "critical"}

FORMS = ["ofp/apply/", "spot/request/", "hanamaru/enroll/", "consultations/request/", "status/"]
THANKS = [
    "ofp/apply/thanks/",
    "spot/request/thanks/",
    "hanamaru/enroll/thanks/",
    "consultations/request/thanks/",
    "status/sent/",
]
OTHER_PUBLIC = [
    "",
    "privacy/",
    "hanamaru/",
    "donate/{campaign}/",
    "accounts/login/",
    "accounts/login/code/",
    "accounts/signup/",
]


def language_prefix(language: str) -> str:
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


def public_paths(language: str, *, status: str, campaign: str) -> list[str]:
    """Every public page in `language`: the forms, their thanks pages, the class list, the campaign, the volunteer
    login and sign-up, and a resident's status page (`status`: its path after the prefix)."""
    paths = [*OTHER_PUBLIC, *FORMS, *THANKS, status]
    return [language_prefix(language) + path.format(campaign=campaign) for path in paths]


def resident_with_everything(klass) -> str:
    """A resident who applied to all four programs: the path of their status page after the language prefix."""
    from tests.consultations.test_intake_and_desk import intake
    from tests.hanamaru.test_pages import enrol_form
    from tests.matching.test_pages import application_form
    from tests.spot.test_pages import request_form

    client = Client()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/ofp/apply/", application_form(email="lan@example.com"))
        client.post("/spot/request/", request_form(email="lan@example.com"))
        client.post("/hanamaru/enroll/", enrol_form(klass, email="lan@example.com"))
        client.post("/consultations/request/", intake(email="lan@example.com"))
    body = mail.outbox[-1].body
    mail.outbox.clear()
    return "status/" + body.split("/status/", 1)[1].split()[0]


def open_campaign():
    from donations.models import Campaign

    today = timezone.localdate()
    return Campaign.objects.create(
        slug="chiisana-rikai",
        title={"ja": "「小さな理解」から広がる やさしい共生の未来", "en": "A kinder shared future"},
        summary={"ja": "外国にルーツを持つ家族を、となりで支えてください。", "en": "Stand beside families."},
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=30),
        goal_new_monthly_supporters=50,
        goal_amount_yen=1_500_000,
        is_published=True,
    )


def require(path: Path, what: str):
    if not path.is_file():
        pytest.fail(f"{what} is missing at {path}: run `npm ci` (the Makefile's test target does).", pytrace=False)


def nu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """The Nu HTML checker's errors for each page ({name: html}), in one run of the checker."""
    require(VNU, "The Nu HTML checker (npm package vnu-jar)")
    java = shutil.which("java") or pytest.fail("The Nu HTML checker needs Java (apt-get install default-jre-headless)")
    errors = defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for number, (name, html) in enumerate(pages.items()):
            file = Path(folder) / f"{number}.html"
            file.write_text(html, encoding="utf-8")
            names[file.name] = name
        run = subprocess.run(  # noqa: S603 — our own files, a fixed command
            [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", *sorted(
                str(Path(folder) / file) for file in names
            )],
            capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
    for message in json.loads(run.stderr)["messages"]:
        if message["type"] == "error":
            name = names[message["url"].rsplit("/", 1)[1]]
            errors[name].append(f"line {message.get('lastLine')}: {message['message']} {message.get('extract', '')!r}")
    return dict(errors)


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (the page's context must bypass CSP
    for the script to be injected)."""
    require(AXE, "axe-core (npm package axe-core)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}) {violation['help']}: "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in violations
        if violation["impact"] in SERIOUS
    ]
