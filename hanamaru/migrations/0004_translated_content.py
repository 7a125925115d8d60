"""Texts kept as one column per language (`<field>_ja`, `<field>_en`) become one translated field each, holding
any number of languages; nothing is lost, and going back restores the two columns."""

import django.db.models.fields.json
from django.db import migrations

from jii.migration_operations import columns_to_translated_texts

# model: {new field: its options}
TEXTS = {
    "consenttext": {"text": {"verbose_name": "text", "multiline": True}},
    "class": {
        "name": {"verbose_name": "name", "max_length": 150},
        "access_notes": {"verbose_name": "access notes", "multiline": True, "blank": True},
    },
}


class Migration(migrations.Migration):
    dependencies = [("hanamaru", "0003_session_changes")]

    operations = [
        *columns_to_translated_texts("hanamaru", TEXTS),
        migrations.AlterModelOptions(
            name="class",
            options={
                "ordering": [django.db.models.fields.json.KeyTextTransform("ja", "name")],
                "verbose_name": "class",
                "verbose_name_plural": "classes",
            },
        ),
    ]
