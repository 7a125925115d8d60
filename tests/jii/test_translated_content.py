"""Content staff write is kept for any number of languages and read along the fallback chain; the move from the
old `<field>_ja`/`<field>_en` columns lost nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from hanamaru.models import Class
from jii.models import Area
from jii.translated import TranslatedText

pytestmark = pytest.mark.django_db


def test_a_text_shows_in_the_page_language_or_the_nearest_written(settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("vi", "Vietnamese"), ("ja-easy", "Plain Japanese")]
    settings.LANGUAGE_FALLBACKS = {"ja-easy": ["ja"]}
    text = TranslatedText({"ja": "目黒区", "en": "Meguro", "vi": "Quận Meguro"})
    shown = {}
    for language in ("ja", "en", "vi", "ja-easy"):
        with translation.override(language):
            shown[language] = str(text)
    assert shown == {"ja": "目黒区", "en": "Meguro", "vi": "Quận Meguro", "ja-easy": "目黒区"}
    assert text.in_language("ne") == "Meguro"  # no Nepali: English, then Japanese
    assert TranslatedText({"ja": "目黒区"}).in_language("vi") == "目黒区"
    assert str(TranslatedText()) == "" and not TranslatedText()


def test_areas_and_languages_read_as_text_in_every_language():
    meguro = Area.objects.get(code="tokyo-meguro")
    assert meguro.name == {"ja": "目黒区", "en": "Meguro"}
    with translation.override("en"):
        assert str(meguro) == "Meguro"
    with translation.override("ja"):
        assert str(meguro) == "目黒区"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_move_to_translated_fields_keeps_every_japanese_and_english_text():
    executor = MigrationExecutor(connection)
    before = [("donations", "0003_annual_receipts"), ("hanamaru", "0003_session_changes")]
    after = [("donations", "0004_translated_content"), ("hanamaru", "0004_translated_content")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    campaign = old.get_model("donations", "Campaign").objects.create(
        slug="c", title_ja="小さな理解", title_en="Small understanding", summary_ja="要約", summary_en="Summary",
        story_ja="物語", story_en="", starts_on="2026-11-05", ends_on="2026-12-25", goal_new_monthly_supporters=50,
        goal_amount_yen=1, is_published=True,
    )  # fmt: skip
    old.get_model("donations", "Voice").objects.create(
        campaign=campaign, quote_ja="ありがとう", quote_en="Thank you", who_ja="参加者", who_en="A participant"
    )
    area = Area.objects.get(code="tokyo-meguro")  # jii stays migrated
    old.get_model("hanamaru", "Class").objects.create(
        name_ja="はなまる", name_en="Hanamaru", venue="v", address="a", access_notes_ja="駅から5分",
        access_notes_en="", area_id=area.pk, level="reading", age_band="lower_primary", capacity=3, tutors_needed=1,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    moved = new.get_model("donations", "Campaign").objects.get(slug="c")
    assert (moved.title, moved.summary, moved.story) == (
        {"ja": "小さな理解", "en": "Small understanding"}, {"ja": "要約", "en": "Summary"}, {"ja": "物語"}
    )  # fmt: skip
    voice = new.get_model("donations", "Voice").objects.get()
    assert (voice.quote, voice.who) == (
        {"ja": "ありがとう", "en": "Thank you"},
        {"ja": "参加者", "en": "A participant"},
    )
    hanamaru = new.get_model("hanamaru", "Class").objects.get()
    assert (hanamaru.name, hanamaru.access_notes) == ({"ja": "はなまる", "en": "Hanamaru"}, {"ja": "駅から5分"})

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: the two columns again
    back = executor.loader.project_state(before).apps.get_model("donations", "Campaign").objects.get(slug="c")
    assert (back.title_ja, back.title_en, back.story_en) == ("小さな理解", "Small understanding", "")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Class.objects.get().name == {"ja": "はなまる", "en": "Hanamaru"}
    assert (Class.objects.get().venue, Class.objects.get().address) == ({"ja": "v"}, {"ja": "a"})  # 0005
