"""Texts kept as one column per language (`<field>_ja`, `<field>_en`) become one translated field each, holding
any number of languages; nothing is lost, and going back restores the two columns."""

from django.db import migrations

from jii.migration_operations import columns_to_translated_texts

# model: {new field: its options}
TEXTS = {
    "campaign": {
        "title": {"verbose_name": "title", "max_length": 200},
        "summary": {"verbose_name": "summary", "multiline": True},
        "story": {"verbose_name": "story", "multiline": True, "blank": True},
    },
    "impacttier": {"impact": {"verbose_name": "impact", "max_length": 200}},
    "voice": {
        "quote": {"verbose_name": "words", "multiline": True},
        "who": {"verbose_name": "who", "max_length": 200},
    },
}


class Migration(migrations.Migration):
    dependencies = [("donations", "0003_annual_receipts")]

    operations = [
        *columns_to_translated_texts("donations", TEXTS),
    ]
