from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpotConfig(AppConfig):
    name = "spot"
    verbose_name = _("Spot Otonari-san")
