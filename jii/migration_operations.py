"""Operations the apps' migrations share. Migrations run forever after they are written: change nothing here
that an applied migration relies on; add a new function instead."""

from django.db import migrations, models

from jii.translated import TranslatedField

LANGUAGE_COLUMNS = ("ja", "en")


def columns_to_translated_texts(app_label: str, texts: dict, languages=LANGUAGE_COLUMNS) -> list:
    """Move texts kept as one column per language (`<field>_ja`, `<field>_en`) into one TranslatedField each,
    losing nothing; going back restores the columns. `texts` is {model: {new field: TranslatedField options}}."""

    def old_column(options):
        # With a default, so that going back can add the column again to a table that has rows.
        if options.get("multiline"):
            return models.TextField(blank=options.get("blank", False), default="")
        return models.CharField(max_length=options["max_length"], default="")

    def into_translated(apps, schema_editor):
        for model_name, fields in texts.items():
            model = apps.get_model(app_label, model_name)
            rows = list(model.objects.all())
            for row in rows:
                for field in fields:
                    written = {language: getattr(row, f"{field}_{language}") for language in languages}
                    setattr(row, field, {language: text for language, text in written.items() if text})
            model.objects.bulk_update(rows, list(fields))

    def back_to_columns(apps, schema_editor):
        for model_name, fields in texts.items():
            model = apps.get_model(app_label, model_name)
            rows = list(model.objects.all())
            for row in rows:
                for field in fields:
                    for language in languages:
                        setattr(row, f"{field}_{language}", (getattr(row, field) or {}).get(language, ""))
            columns = [f"{field}_{language}" for field in fields for language in languages]
            model.objects.bulk_update(rows, columns)

    each_column = [
        (model_name, field, options, language)
        for model_name, fields in texts.items()
        for field, options in fields.items()
        for language in languages
    ]
    return [
        *(
            migrations.AddField(model_name, field, TranslatedField(**options))
            for model_name, fields in texts.items()
            for field, options in fields.items()
        ),
        migrations.RunPython(into_translated, back_to_columns),
        *(
            migrations.AlterField(model_name, f"{field}_{language}", old_column(options))
            for model_name, field, options, language in each_column
        ),
        *(migrations.RemoveField(model_name, f"{field}_{language}") for model_name, field, _, language in each_column),
    ]


def japanese_columns_to_translated_texts(app_label: str, texts: dict) -> list:
    """Move texts kept in Japanese only (one column each) into TranslatedFields of the same names, as their
    Japanese; going back keeps the Japanese. `texts` is {model: {field: TranslatedField options}}."""
    japanese = LANGUAGE_COLUMNS[0]
    renames = [
        migrations.RenameField(model_name, field, f"{field}_{japanese}")
        for model_name, fields in texts.items()
        for field in fields
    ]
    return [*renames, *columns_to_translated_texts(app_label, texts, languages=(japanese,))]
