"""Texts kept as one column per language (`<field>_ja`, `<field>_en`) become one translated field each, holding
any number of languages; nothing is lost, and going back restores the two columns."""

from django.db import migrations

from jii.migration_operations import columns_to_translated_texts

# model: {new field: its options}
TEXTS = {
    "language": {"name": {"verbose_name": "name", "max_length": 50}},
    "area": {"name": {"verbose_name": "name", "max_length": 50}},
}


class Migration(migrations.Migration):
    dependencies = [("jii", "0003_language_field")]

    operations = [
        *columns_to_translated_texts("jii", TEXTS),
    ]
