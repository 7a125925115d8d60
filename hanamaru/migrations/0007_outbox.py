from django.conf import settings
from django.db import migrations

# The old record's kind -> the message it was. Its key is the once key the services now write.
TEMPLATES = {
    "received": "hanamaru_enrolment_received",
    "place": "hanamaru_place_offered",
    "changed": "hanamaru_session_changed",
    "reminder": "hanamaru_reminder",
    "shortage": "hanamaru_tutor_shortage",
    "consent": "hanamaru_consent_renewal",
}


def move_sent_emails_to_the_outbox(apps, schema_editor):
    """Each email recorded as sent becomes a sent jii.Message, so no daily job sends it again."""
    Notification = apps.get_model("hanamaru", "Notification")
    Enrolment = apps.get_model("hanamaru", "Enrolment")
    Resident = apps.get_model("jii", "Resident")
    User = apps.get_model("jii", "User")
    Message = apps.get_model("jii", "Message")
    residents = dict(Resident.objects.values_list("pk", "language"))
    users = dict(User.objects.values_list("pk", "language"))
    guardians = dict(Enrolment.objects.values_list("pk", "child__guardian_id"))

    def recipient(kind, key):
        parts = key.split(":")
        if kind in ("changed", "reminder"):  # <session>:<change or time>:<user|resident>:<id>
            person_kind, person = parts[-2], int(parts[-1])
        elif kind == "consent":  # <consent>:<guardian>
            person_kind, person = "resident", int(parts[1])
        elif kind in ("received", "place"):  # <enrolment ids>
            person_kind, person = "resident", guardians.get(int(key.split(",")[0]))
        else:
            return {"address": settings.COORDINATOR_EMAIL, "language": "ja"}
        if person_kind == "user" and person in users:
            return {"user_id": person, "language": users[person]}
        if person_kind == "resident" and person in residents:
            return {"resident_id": person, "language": residents[person]}
        return {"address": "", "language": "ja"}  # the person has since been deleted

    Message.objects.bulk_create(
        (
            Message(
                template=TEMPLATES[notification.kind],
                once_key=f"{TEMPLATES[notification.kind]}:{notification.key}",
                state="sent",
                channel="email",
                attempts=1,
                created_at=notification.sent_at,
                next_attempt_at=notification.sent_at,
                sent_at=notification.sent_at,
                **recipient(notification.kind, notification.key),
            )
            for notification in Notification.objects.filter(kind__in=TEMPLATES)
        ),
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hanamaru", "0006_venue_needs_japanese_only"),
        ("jii", "0006_outbox"),
    ]

    operations = [
        migrations.RunPython(move_sent_emails_to_the_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
