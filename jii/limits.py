"""Limits on the public forms, against floods: posts per network and per email address (counted in the cache,
shared by every web worker; settings.ACCOUNT_RATE_LIMITS["public_form"]), and a field people never see that
bots fill in. A refused post saves nothing and sends nothing; the form says why in the page's language."""

from allauth.core import ratelimit
from django.utils.translation import gettext_lazy as _

from jii.intake import PERMISSION as ASSISTED_INTAKE

# The name of the hidden field (templates/jii/_honeypot.html): one a browser's autofill leaves alone.
HONEYPOT = "leave_empty"


def refused(request, form) -> bool:
    """For a valid public form: True, with the reason on the form, if this post must not be saved."""
    if request.user.has_perm(ASSISTED_INTAKE):
        return False  # a coordinator entering forms for residents at the desk
    if request.POST.get(HONEYPOT):
        form.add_error(None, _("We could not accept this form. Please send it again."))
        return True
    contact = form.cleaned_data.get("email") or form.cleaned_data.get("phone") or ""
    if not ratelimit.consume(request, action="public_form", key=contact.lower()):
        form.add_error(
            None,
            _(
                "We have received many forms from this network or for this email address in the last hour, so we"
                " could not accept this one. Please try again later, or call or email JII."
            ),
        )
        return True
    return False
