from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HanamaruConfig(AppConfig):
    name = "hanamaru"
    verbose_name = _("Hanamaru classes")
