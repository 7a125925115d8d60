"""Staff's second factor (allauth.mfa): whether this session passed it, and setting it up counts as passing it."""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


def passed_in_this_session(request, user) -> bool:
    """allauth records each way the session's user proved who they are; "mfa" is a code (app or recovery)."""
    return any(record["method"] == "mfa" for record in get_authentication_records(request, user))


@receiver(authenticator_added, dispatch_uid="jii.second_factor.record_activation")
def record_activation(sender, request, user, authenticator, **kwargs):
    # Activating the app takes a right code from it: as good as entering one at sign-in, so the staff member who
    # just set it up goes on to the admin without typing a second code.
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
