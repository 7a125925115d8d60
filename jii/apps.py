from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _

from jii.groups import CONSULTATION_STAFF, COORDINATORS, DONATIONS_STAFF, PRIVACY_OFFICERS


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
            "jii.change_volunteer_standing",
            "jii.view_orientation",
            "jii.add_orientation",
            "jii.change_orientation",
            "jii.view_insurance",
            "jii.add_insurance",
            "jii.change_insurance",
            "jii.view_language",
            "jii.view_message",
            "jii.send_message_again",
            "jii.view_undeliverableaddress",
            "jii.delete_undeliverableaddress",
            "jii.view_assistedintake",
            "jii.add_assistedintake",
            "jii.view_datarequest",
            "jii.view_privacynotice",
            "jii.view_confidentialitypledge",
            "jii.view_groupmessage",
            "jii.message_volunteers",
            "jii.view_certificate",
        ],
        PRIVACY_OFFICERS: [
            "jii.view_confidentialitypledge",
            "jii.add_confidentialitypledge",
            "jii.view_datarequest",
            "jii.erase_personal_data",
            "jii.view_privacynotice",
            "jii.add_privacynotice",
            "auditlog.view_logentry",
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
        from auditlog.models import LogEntry

        import jii.email_events  # noqa: F401  (bounces and complaints from the email provider)
        import jii.messages  # noqa: F401  (registers the core's message builders)
        import jii.second_factor  # noqa: F401  (setting up the app counts as passing it)
        from jii.audiences import register_core as register_core_audiences
        from jii.audit import record_number_only, register
        from jii.groups import sync_group_permissions
        from jii.models import (
            ConfidentialityPledge,
            DataRequest,
            GroupMessage,
            Insurance,
            Orientation,
            PrivacyNotice,
            Resident,
            User,
            VolunteerLanguage,
            VolunteerProfile,
        )
        from jii.privacy import register_core
        from jii.sections import register_section, volunteers_desk_context

        register_core()
        register_core_audiences()
        register_section("desk", "admin/jii/_desk.html", volunteers_desk_context)
        post_migrate.connect(sync_group_permissions, dispatch_uid="jii.sync_group_permissions")

        # The change audit (jii/audit.py) of the core's records; each program registers its own.
        pre_save.connect(record_number_only, sender=LogEntry, dispatch_uid="jii.audit_record_number_only")
        register(Resident, masked=["name", "email", "phone", "status_key"], m2m=["languages"])
        register(VolunteerProfile, masked=["phone", "nearest_station", "about", "status_note"])
        register(Orientation)
        register(Insurance)
        register(VolunteerLanguage)
        # Who published which notice or pledge, and who carried out which erasure request.
        register(PrivacyNotice)
        register(ConfidentialityPledge)
        register(DataRequest)
        # Who wrote to which group of volunteers; the words are the coordinator's own, masked like every free text.
        register(GroupMessage, masked=["subject", "body"])
        # A password change is recorded (masked: that it changed, not the hash); a sign-in is not a change.
        register(
            User,
            masked=["password", "email", "name", "given_name_latin"],
            m2m=["groups", "user_permissions"],
            excluded=["last_login"],
        )
