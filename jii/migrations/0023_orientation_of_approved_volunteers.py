"""Volunteers approved before orientations were recorded had theirs before approval (JII's practice): record it, so
the new readiness gate (jii/readiness.py) does not stop them all on the day this is deployed. Their insurance is
not assumed: coordinators record it from the insurer's list (the volunteer list's action, in one go)."""

from django.db import migrations
from django.utils import timezone


def record_orientations(apps, schema_editor):
    VolunteerProfile = apps.get_model("jii", "VolunteerProfile")
    Orientation = apps.get_model("jii", "Orientation")
    approved = VolunteerProfile.objects.filter(status="approved", orientations__isnull=True)
    Orientation.objects.bulk_create(
        Orientation(
            volunteer=profile,
            attended_on=timezone.localdate(profile.approved_at or profile.submitted_at),
            session="承認前（記録開始前）",
        )
        for profile in approved
    )


class Migration(migrations.Migration):
    dependencies = [("jii", "0022_certificates")]

    operations = [migrations.RunPython(record_orientations, migrations.RunPython.noop)]
