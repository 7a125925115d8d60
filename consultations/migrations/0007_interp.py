"""Interpreters: an expert kind, booked beside the expert. On PostgreSQL an exclusion constraint refuses any
overlap of one interpreter's booked appointments, as 0002 does for experts and rooms (an appointment without an
interpreter takes no part: NULL equals nothing)."""

import django.db.models.deletion
from django.db import migrations, models


NAME = "appointment_interpreter_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE consultations_appointment ADD CONSTRAINT {NAME} EXCLUDE USING gist "
        "(interpreter_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'booked')"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE consultations_appointment DROP CONSTRAINT IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_encrypt_texts"),
        ("jii", "0017_privacy_notice_latest"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="interpreter",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="interpreted",
                to="consultations.expert",
                verbose_name="interpreter",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="interpreter_language",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jii.language",
                verbose_name="interpreting language",
            ),
        ),
        migrations.AlterField(
            model_name="expert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("lawyer", "Lawyer (弁護士)"),
                    ("scrivener", "Administrative scrivener (行政書士)"),
                    ("labour", "Labour and social security attorney (社会保険労務士)"),
                    ("social_worker", "Social worker"),
                    ("doctor", "Doctor"),
                    ("counsellor", "Counsellor"),
                    ("interpreter", "Interpreter"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="profession",
            ),
        ),
        migrations.RunPython(add, remove),
    ]
