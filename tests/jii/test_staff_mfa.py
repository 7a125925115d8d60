"""Staff's second factor: no admin page opens for a staff member (superusers too) without an authenticator app set
up and a code from it (or a recovery code) given in the session. Volunteers are never asked."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.contrib import admin
from django.test import Client as PlainClient
from django.urls import URLResolver, resolve, reverse
from django.utils import translation

from jii.models import Resident
from tests.factories import PASSWORD, CoordinatorFactory, VolunteerFactory, totp_code, with_second_factor
from tests.page_checks import nu_errors

pytestmark = pytest.mark.django_db

PREFIXES = ["" if code == settings.LANGUAGE_CODE else f"/{code}" for code, _name in settings.LANGUAGES]


def admin_paths():
    """A path for every URL pattern of the admin site (every model's pages, the desk's own pages, the catch-all),
    as the site's URL resolver has them: ids and the like filled in."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    paths = []
    translation.activate(settings.LANGUAGE_CODE)  # the paths without a language prefix are the default language's
    for route in walk(admin.site.get_urls(), "/admin/"):
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "jii", route)
        route = re.sub(r"\(\?P<url>[^)]*\)", "no-such-page/", route)
        path = re.sub(r"<[^>]+>", "1", route).replace("^", "").replace("$", "")
        assert resolve(path).namespace == "admin", path
        paths.append(path)
    return paths


def log_in(client, user, prefix="/en"):
    return client.post(f"{prefix}/accounts/login/", {"login": user.email, "password": PASSWORD})


def test_every_admin_path_is_found():
    paths = admin_paths()
    assert len(paths) > 150
    own_pages = {reverse("admin:matching_figures"), reverse("admin:donations_export")}
    assert {"/admin/", "/admin/jii/resident/add/", "/admin/no-such-page/", *own_pages} <= set(paths)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_staff_without_an_authenticator_app_are_sent_to_set_one_up_from_every_admin_page(prefix):
    client = PlainClient()
    client.force_login(CoordinatorFactory(second_factor=False, is_superuser=True))
    setup = f"{prefix}/accounts/2fa/totp/activate/"
    for path in admin_paths():
        for method in (client.get, client.post):
            response = method(prefix + path)
            assert (response.status_code, response.get("Location")) == (302, setup), (method, prefix + path)
    assert not Resident.objects.exists()  # nothing posted got through (the add form above, say)


def test_staff_with_an_app_whose_session_skipped_the_code_are_asked_for_one():
    client = PlainClient()  # force_login here records no second factor, as a sign-in that skipped it
    client.force_login(CoordinatorFactory())
    response = client.get("/en/admin/jii/resident/?q=olena")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/reauthenticate/?next=%2Fen%2Fadmin%2Fjii%2Fresident%2F%3Fq%3Dolena"
    assert client.get("/en/admin/").status_code == 302
    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    right = client.post(response["Location"], {"code": totp_code()})
    assert right["Location"] == "/en/admin/jii/resident/?q=olena"
    assert client.get(right["Location"]).status_code == 200


# allauth tells of the new app once its transaction commits, and that lets the session in (jii/second_factor.py): a
# test transaction would never commit.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_staff_member_sets_up_the_app_on_first_sign_in_and_then_the_admin_opens(client):
    staff = CoordinatorFactory(second_factor=False)
    signed_in = log_in(client, staff)
    assert signed_in["Location"] == "/en/admin/"
    setup = client.get(signed_in["Location"])
    assert setup["Location"] == "/en/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before a second factor is added (or removed).
    confirm = client.get(setup["Location"])
    assert confirm["Location"] == "/en/accounts/reauthenticate/?next=%2Fen%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert client.post(confirm["Location"], {"password": PASSWORD})["Location"] == setup["Location"]
    page = client.get(setup["Location"]).content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code
    assert " ".join(re.findall(".{1,4}", secret)) in page  # the secret written out, for typing in by hand
    assert 'href="/en/"' in page  # our layout, not allauth's bare one

    wrong = client.post(setup["Location"], {"code": "123456"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    done = client.post(setup["Location"], {"code": totp_code(secret)})
    assert done["Location"] == "/en/accounts/2fa/recovery-codes/"
    codes_page = client.get(done["Location"]).content.decode()
    [recovery] = Authenticator.objects.filter(user=staff, type="recovery_codes")
    assert all(code in codes_page for code in recovery.wrap().get_unused_codes())
    assert 'href="/en/admin/"' in codes_page  # on to the admin

    assert client.get("/en/admin/").status_code == 200
    assert client.get("/en/admin/jii/resident/").status_code == 200


def test_staff_with_the_app_are_asked_for_its_code_after_their_password(client):
    staff = CoordinatorFactory()
    signed_in = log_in(client, staff)
    assert signed_in["Location"] == "/en/accounts/2fa/authenticate/"
    assert client.get("/en/admin/").status_code == 302  # not in yet
    page = client.get(signed_in["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page

    wrong = client.post(signed_in["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert client.get("/en/admin/").status_code == 302
    right = client.post(signed_in["Location"], {"code": totp_code()})
    assert right["Location"] == "/en/admin/"
    assert client.get("/en/admin/").status_code == 200


def test_a_recovery_code_lets_staff_in_once(client):
    staff = CoordinatorFactory()
    code = RecoveryCodes.activate(staff).get_unused_codes()[0]
    log_in(client, staff)
    assert client.post("/en/accounts/2fa/authenticate/", {"code": code})["Location"] == "/en/admin/"
    assert client.get("/en/admin/").status_code == 200

    client.logout()
    log_in(client, staff)
    again = client.post("/en/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200 and "Incorrect code" in again.content.decode()
    assert client.get("/en/admin/").status_code == 302


def test_wrong_codes_are_limited_per_account_and_then_even_the_right_one_waits(client):
    staff = CoordinatorFactory()
    log_in(client, staff)
    for _attempt in range(5):
        assert "Incorrect code" in client.post("/en/accounts/2fa/authenticate/", {"code": "000000"}).content.decode()
    blocked = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code()})
    html = blocked.content.decode()
    assert blocked.status_code == 200 and "Too many wrong codes" in html and "email" not in html.lower()
    assert client.get("/en/admin/").status_code == 302


def test_volunteers_are_never_asked_for_a_second_factor(client):
    volunteer = VolunteerFactory(profile__status="approved")
    signed_in = log_in(client, volunteer)
    assert signed_in["Location"] == "/en/volunteer/"
    assert client.get("/en/volunteer/").status_code == 200
    admin_page = client.get("/en/admin/")  # not staff: the admin's own answer, a sign-in page
    assert admin_page.status_code == 302 and "/2fa/" not in admin_page["Location"]

    with_second_factor(volunteer)  # a volunteer who set up an app anyway is asked for it, as allauth does
    client.logout()
    assert log_in(client, volunteer)["Location"] == "/en/accounts/2fa/authenticate/"


def test_only_superusers_see_and_delete_authenticators_in_the_admin(client):
    lost_phone = CoordinatorFactory()
    [app] = Authenticator.objects.filter(user=lost_phone)
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    assert client.get("/en/admin/mfa/authenticator/").status_code == 403
    client.force_login(CoordinatorFactory(is_superuser=True))
    assert client.get("/en/admin/mfa/authenticator/").status_code == 200
    assert client.post(f"/en/admin/mfa/authenticator/{app.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(user=lost_phone).exists()  # set up afresh at the next sign-in


def test_the_second_factor_pages_are_valid_html_in_japanese_and_english(client):
    staff = CoordinatorFactory(second_factor=False)
    pages = {}
    for prefix in ("", "/en"):
        log_in(client, staff, prefix)
        client.post(f"{prefix}/accounts/reauthenticate/", {"password": PASSWORD})
        pages[f"{prefix} set up"] = client.get(f"{prefix}/accounts/2fa/totp/activate/").content.decode()
        pages[f"{prefix} set up, wrong code"] = client.post(f"{prefix}/accounts/2fa/totp/activate/", {"code": "1"})
        client.logout()
    with_second_factor(staff)
    RecoveryCodes.activate(staff)
    for prefix in ("", "/en"):
        log_in(client, staff, prefix)
        pages[f"{prefix} code"] = client.get(f"{prefix}/accounts/2fa/authenticate/").content.decode()
        pages[f"{prefix} code, wrong"] = client.post(f"{prefix}/accounts/2fa/authenticate/", {"code": "1"})
        client.logout()
        client.force_login(staff)
        client.post(f"{prefix}/accounts/reauthenticate/", {"password": PASSWORD})  # allauth asks before showing them
        pages[f"{prefix} recovery codes"] = client.get(f"{prefix}/accounts/2fa/recovery-codes/").content.decode()
        client.logout()
    pages = {name: page if isinstance(page, str) else page.content.decode() for name, page in pages.items()}
    assert "認証アプリの設定" in pages[" set up"] and "リカバリーコード" in pages[" recovery codes"]
    assert "Incorrect code" in pages["/en code, wrong"] and "Incorrect code" in pages["/en set up, wrong code"]
    assert nu_errors(pages) == {}
