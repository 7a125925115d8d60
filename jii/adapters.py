from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from jii.languages import current_language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Later emails (approval, reminders) go out in the language the volunteer signed up in.
        user.language = current_language()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # Coordinators work in the admin; everyone else is a volunteer.
        if request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)
