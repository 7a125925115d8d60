"""No double booking, guaranteed by PostgreSQL: an expert's booked appointments never overlap, nor do a room's.
Exclusion constraints over time ranges (btree_gist lets the expert and room ids take part). SQLite, the embedded
development database, has no such constraint; there the booking service checks in its transaction, which SQLite
runs one at a time."""

from django.db import migrations

CONSTRAINTS = [
    ("appointment_expert_no_overlap", "expert_id"),
    ("appointment_room_no_overlap", "room_id"),
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE consultations_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'booked')"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE consultations_appointment DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_cases")]

    operations = [migrations.RunPython(add, remove)]
