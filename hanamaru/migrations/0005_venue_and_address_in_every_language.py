"""A class's venue and address, written in Japanese only so far, become texts in every language (their Japanese
kept)."""

from django.db import migrations

from jii.migration_operations import japanese_columns_to_translated_texts

TEXTS = {
    "class": {
        "venue": {"verbose_name": "venue", "max_length": 150},
        "address": {"verbose_name": "address", "max_length": 300},
    },
}


class Migration(migrations.Migration):
    dependencies = [("hanamaru", "0004_translated_content")]

    operations = [*japanese_columns_to_translated_texts("hanamaru", TEXTS)]
