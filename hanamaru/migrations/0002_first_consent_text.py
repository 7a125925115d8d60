from django.db import migrations

TEXT_JA = (
    "JIIは、お子さまのお名前・年齢・学校・家庭の言語・日本語のレベル・アレルギーや配慮事項を、はなまるクラスの運営"
    "（クラス分け、連絡、安全な活動）のためにだけ使います。チューターのボランティアに伝えるのは、担当する回のお子さまの"
    "名前（下の名前）と日本語のレベルだけです。そのほかの情報はJIIのコーディネーターだけが見ます。いつでも退会でき、"
    "ご依頼があれば情報を削除します。"
)
TEXT_EN = (
    "JII uses your children's names, ages, schools, home languages, Japanese level and any allergies or needs only "
    "to run the Hanamaru classes (placing them in a class, contacting you, keeping them safe). Volunteer tutors see "
    "only the first names and Japanese levels of the children in their sessions; everything else is seen by JII's "
    "coordinators only. You can withdraw at any time, and we delete the information when you ask."
)


def first_version(apps, schema_editor):
    ConsentText = apps.get_model("hanamaru", "ConsentText")
    ConsentText.objects.get_or_create(version=1, defaults={"text_ja": TEXT_JA, "text_en": TEXT_EN})


class Migration(migrations.Migration):
    dependencies = [("hanamaru", "0001_classes")]

    operations = [migrations.RunPython(first_version, migrations.RunPython.noop)]
