"""Coordinator groups (their permissions are synced after each migrate, see jii/groups.py) and the languages
JII's residents and volunteers most often speak."""

from django.db import migrations

GROUPS = ["coordinators", "consultation staff", "donations staff"]

LANGUAGES = [
    ("ja", "日本語", "Japanese"),
    ("en", "英語", "English"),
    ("zh", "中国語", "Chinese"),
    ("ko", "韓国語", "Korean"),
    ("vi", "ベトナム語", "Vietnamese"),
    ("ne", "ネパール語", "Nepali"),
    ("tl", "タガログ語", "Tagalog"),
    ("pt", "ポルトガル語", "Portuguese"),
    ("es", "スペイン語", "Spanish"),
    ("id", "インドネシア語", "Indonesian"),
    ("my", "ミャンマー語", "Burmese"),
    ("uk", "ウクライナ語", "Ukrainian"),
    ("ru", "ロシア語", "Russian"),
    ("fa", "ダリー語・ペルシャ語", "Dari / Persian"),
    ("fr", "フランス語", "French"),
    ("ar", "アラビア語", "Arabic"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Language = apps.get_model("jii", "Language")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    for code, name_ja, name_en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_ja": name_ja, "name_en": name_en})


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("jii", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
