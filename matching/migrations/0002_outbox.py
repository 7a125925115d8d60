from django.conf import settings
from django.db import migrations


def move_sent_follow_ups_to_the_outbox(apps, schema_editor):
    """Each follow-up recorded as sent becomes sent jii.Message rows with the once keys matching.services now
    writes, so the daily job sends none of them again."""
    FollowUp = apps.get_model("matching", "FollowUp")
    Message = apps.get_model("jii", "Message")
    messages = []

    def sent(template, once, follow_up, *, resident=None, user=None):
        recipient = (
            {"resident_id": resident.pk, "language": resident.language}
            if resident
            else {"user_id": user.pk, "language": user.language}
            if user
            else {"address": settings.COORDINATOR_EMAIL, "language": "ja"}
        )
        messages.append(
            Message(
                template=template,
                once_key=f"{template}:{once}",
                ids={"match": follow_up.match_id},
                state="sent",
                channel="email",
                attempts=1,
                created_at=follow_up.sent_at,
                next_attempt_at=follow_up.sent_at,
                sent_at=follow_up.sent_at,
                **recipient,
            )
        )

    follow_ups = FollowUp.objects.select_related("match__application__resident", "match__volunteer__user")
    for follow_up in follow_ups:
        match = follow_up.match
        resident, volunteer = match.application.resident, match.volunteer.user
        if follow_up.kind in ("check_in_reminder", "check_in_overdue"):
            sent(f"ofp_{follow_up.kind}", f"{match.pk}:{follow_up.month}", follow_up, user=volunteer)
        elif follow_up.kind in ("midpoint_survey", "closing_survey"):
            survey = follow_up.kind.removesuffix("_survey")
            sent("ofp_survey_resident", f"{match.pk}:{survey}", follow_up, resident=resident)
            sent("ofp_survey_volunteer", f"{match.pk}:{survey}", follow_up, user=volunteer)
        elif follow_up.kind == "end_notice":
            sent("ofp_end_notice_coordinator", match.pk, follow_up)
    Message.objects.bulk_create(messages, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("jii", "0006_outbox"),
    ]

    operations = [
        migrations.RunPython(move_sent_follow_ups_to_the_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="FollowUp"),
    ]
