from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Later emails (approval, reminders) go out in the language the volunteer signed up in.
        user.language = "en" if get_language() == "en" else "ja"
        return super().save_user(request, user, form, commit=commit)
