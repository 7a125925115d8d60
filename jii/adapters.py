from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from jii import services
from jii.languages import current_language

SECOND_FACTOR_PAGES = {"mfa_authenticate", "mfa_reauthenticate"}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-ins to this account. Wait a few minutes, or sign in with a code we email to you."
        ),
        # allauth counts wrong second-factor codes as failed sign-ins too, where an emailed code is no way round.
        "too_many_wrong_codes": pgettext_lazy("staff", "Too many wrong codes. Wait a few minutes and try again."),
    }

    def validation_error(self, code, *args):
        page = getattr(getattr(context.request, "resolver_match", None), "url_name", None)
        if code == "too_many_login_attempts" and page in SECOND_FACTOR_PAGES:
            code = "too_many_wrong_codes"
        return super().validation_error(code, *args)

    def save_user(self, request, user, form, commit=True):
        # Later emails (approval, reminders) go out in the language the volunteer signed up in.
        user.language = current_language()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # Coordinators work in the admin; everyone else is a volunteer.
        if request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request):
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:  # fewer X-Forwarded-For entries than proxies: not through the proxy chain
            return request.META["REMOTE_ADDR"]

    def authentication_failed(self, request, **credentials):
        services.record_failed_sign_in(email=credentials.get("email", ""))

    def login(self, request, user):
        failed = services.failed_sign_ins_since(user, user.last_login)
        super().login(request, user)
        if failed:
            text = ngettext(
                "There was %(n)d failed attempt to sign in to your account since you last signed in, the latest"
                " on %(when)s. If it was not you, tell JII's office.",
                "There were %(n)d failed attempts to sign in to your account since you last signed in, the latest"
                " on %(when)s. If it was not you, tell JII's office.",
                failed.count,
            )
            messages.warning(request, text % {"n": failed.count, "when": failed.latest})
