from datetime import datetime, time

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def sent_message(template, once, sent_at, **fields):
    return {
        "template": template,
        "once_key": f"{template}:{once}",
        "state": "sent",
        "channel": "email",
        "attempts": 1,
        "created_at": sent_at,
        "next_attempt_at": sent_at,
        "sent_at": sent_at,
        **fields,
    }


def old_emails(apps):
    """The emails sent before the outbox, as the outbox's messages, with the once keys consultations/messages.py
    computes, so that no daily job sends them again. The recipient's language is today's (none was kept)."""
    Notification = apps.get_model("consultations", "Notification")
    Consultation = apps.get_model("consultations", "Consultation")
    Appointment = apps.get_model("consultations", "Appointment")
    records = list(Notification.objects.all())
    received = [record for record in records if record.kind == "received"]
    about_appointments = [record for record in records if record.kind != "received"]
    cases = Consultation.objects.select_related("resident").in_bulk([int(record.key) for record in received])
    appointments = Appointment.objects.select_related("consultation__resident", "expert").in_bulk(
        [int(record.key.split(":")[0]) for record in about_appointments]
    )
    for record in received:  # kind "received", key "<consultation id>"
        case = cases.get(int(record.key))
        if case:  # a deleted case's email cannot be sent again anyway
            yield sent_message(
                "consultation_received", record.key, record.sent_at, resident_id=case.resident_id,
                language=case.resident.language, ids={"consultation": case.pk},
            )  # fmt: skip
    for record in about_appointments:  # kind booked/moved/cancelled/reminder, key "<appointment id>:<role>"
        appointment_id, role = record.key.split(":")
        appointment = appointments.get(int(appointment_id))
        if appointment is None:
            continue
        if role == "resident":
            resident = appointment.consultation.resident
            recipient = {"resident_id": resident.pk, "language": resident.language}
        else:
            recipient = {"address": appointment.expert.email, "language": appointment.expert.language}
        yield sent_message(
            "consultation_appointment", f"{record.kind}:{record.key}", record.sent_at,
            ids={"appointment": appointment.pk}, **recipient,
        )  # fmt: skip
    # The staff's follow-up reminders kept only the date reminded: it stands for when it was sent.
    for case in Consultation.objects.filter(follow_up_sent_for__isnull=False):
        day = case.follow_up_sent_for
        yield sent_message(
            "consultation_follow_up", f"{case.pk}:{day.isoformat()}", timezone.make_aware(datetime.combine(day, time())),
            address=settings.CONSULTATION_STAFF_EMAIL, language="ja", ids={"consultation": case.pk},
        )  # fmt: skip


def record_sent_emails(apps, schema_editor):
    Message = apps.get_model("jii", "Message")
    # ignore_conflicts: a message the new code already wrote (deployed before this migration ran) stays as it is.
    Message.objects.bulk_create([Message(**fields) for fields in old_emails(apps)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_language_field"),
        ("jii", "0006_outbox"),
    ]

    operations = [
        migrations.RunPython(record_sent_emails, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
        migrations.RemoveField(model_name="consultation", name="follow_up_sent_for"),
    ]
