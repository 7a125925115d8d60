from django.db import migrations, models


def move_sent_emails_to_the_outbox(apps, schema_editor):
    """Every email recorded as sent becomes a sent jii.Message with the once key spot.services now writes, so no
    daily job sends it again; an escalation becomes the request's escalated_at."""
    Notification = apps.get_model("spot", "Notification")
    SpotRequest = apps.get_model("spot", "SpotRequest")
    VolunteerProfile = apps.get_model("jii", "VolunteerProfile")
    Message = apps.get_model("jii", "Message")
    users = dict(VolunteerProfile.objects.values_list("pk", "user_id"))
    languages = dict(apps.get_model("jii", "User").objects.values_list("pk", "language"))
    messages = []

    def sent(template, once, notification, *, user_id=None):
        request = notification.request
        recipient = {"user_id": user_id} if user_id else {"resident_id": request.resident_id}
        language = languages.get(user_id) if user_id else request.resident.language
        messages.append(
            Message(
                template=template,
                once_key=f"{template}:{once}",
                language=language or "ja",
                ids={"request": request.pk},
                state="sent",
                channel="email",
                attempts=1,
                created_at=notification.sent_at,
                next_attempt_at=notification.sent_at,
                sent_at=notification.sent_at,
                **recipient,
            )
        )

    for notification in Notification.objects.select_related("request__resident"):
        request, kind, key = notification.request, notification.kind, notification.key
        if kind == "received":
            sent("spot_request_received", request.pk, notification)
        elif kind == "accepted":
            sent("spot_accepted_resident", key, notification)
        elif kind == "released":
            sent("spot_released_resident", key, notification)
        elif kind == "cancelled" and request.volunteer_id:
            sent("spot_cancelled_volunteer", request.pk, notification, user_id=users.get(request.volunteer_id))
        elif kind == "feedback":
            sent("spot_feedback_request", request.pk, notification)
        elif kind == "reminder":  # key: "<volunteer id>:<date>"
            volunteer_id = int(key.split(":")[0])
            sent("spot_reminder_resident", f"{request.pk}:{key}", notification)
            sent("spot_reminder_volunteer", f"{request.pk}:{key}", notification, user_id=users.get(volunteer_id))
        elif kind == "escalated":
            SpotRequest.objects.filter(pk=request.pk).update(escalated_at=notification.sent_at)
    Message.objects.bulk_create(messages, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("spot", "0001_initial"),
        ("jii", "0006_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="spotrequest",
            name="escalated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="escalated to coordinators"),
        ),
        migrations.RunPython(move_sent_emails_to_the_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
