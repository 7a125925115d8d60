"""Texts kept as one column per language (`<field>_ja`, `<field>_en`) become one translated field each, holding
any number of languages ({"ja": …, "en": …}); nothing is lost, and going back restores the two columns."""

import jii.translated
from django.db import migrations, models

# model: {new field: (field options, old Japanese column, old English column)}
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


def old_column(options):
    if options.get("multiline"):
        return models.TextField(blank=options.get("blank", False), default="")
    return models.CharField(max_length=options["max_length"], default="")


def into_translated(apps, schema_editor):
    for model_name, fields in TEXTS.items():
        model = apps.get_model("donations", model_name)
        rows = list(model.objects.all())
        for row in rows:
            for field in fields:
                texts = {"ja": getattr(row, f"{field}_ja"), "en": getattr(row, f"{field}_en")}
                setattr(row, field, {language: text for language, text in texts.items() if text})
        model.objects.bulk_update(rows, list(fields))


def back_to_columns(apps, schema_editor):
    for model_name, fields in TEXTS.items():
        model = apps.get_model("donations", model_name)
        rows = list(model.objects.all())
        for row in rows:
            for field in fields:
                texts = getattr(row, field) or {}
                setattr(row, f"{field}_ja", texts.get("ja", ""))
                setattr(row, f"{field}_en", texts.get("en", ""))
        model.objects.bulk_update(rows, [f"{field}_{language}" for field in fields for language in ("ja", "en")])


class Migration(migrations.Migration):
    dependencies = [("donations", "0003_annual_receipts")]

    operations = [
        *(
            migrations.AddField(model_name, field, jii.translated.TranslatedField(**options))
            for model_name, fields in TEXTS.items()
            for field, options in fields.items()
        ),
        migrations.RunPython(into_translated, back_to_columns),
        # Defaults for the old columns first, so that going back can add them again to tables that have rows.
        *(
            migrations.AlterField(model_name, f"{field}_{language}", old_column(options))
            for model_name, fields in TEXTS.items()
            for field, options in fields.items()
            for language in ("ja", "en")
        ),
        *(
            migrations.RemoveField(model_name, f"{field}_{language}")
            for model_name, fields in TEXTS.items()
            for field in fields
            for language in ("ja", "en")
        ),
    ]
