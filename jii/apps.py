from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from jii.groups import CONSULTATION_STAFF, COORDINATORS, DONATIONS_STAFF


class JiiConfig(AppConfig):
    name = "jii"
    verbose_name = _("People")
    group_permissions = {
        COORDINATORS: [
            "jii.view_resident",
            "jii.view_every_resident",
            "jii.change_resident",
            "jii.view_volunteerprofile",
            "jii.change_volunteerprofile",
            "jii.approve_volunteer",
            "jii.view_language",
            "jii.view_message",
            "jii.send_message_again",
            "jii.view_undeliverableaddress",
            "jii.delete_undeliverableaddress",
            "jii.view_assistedintake",
            "jii.add_assistedintake",
        ],
        CONSULTATION_STAFF: [
            "jii.view_resident",
            "jii.view_message",
            "jii.send_message_again",
            "jii.view_assistedintake",
            "jii.add_assistedintake",
        ],
        DONATIONS_STAFF: ["jii.view_message", "jii.send_message_again"],
    }

    def ready(self):
        import jii.email_events  # noqa: F401  (bounces and complaints from the email provider)
        import jii.messages  # noqa: F401  (registers the core's message builders)
        import jii.second_factor  # noqa: F401  (setting up the app counts as passing it)
        from jii.groups import sync_group_permissions

        post_migrate.connect(sync_group_permissions, dispatch_uid="jii.sync_group_permissions")
