"""JII as it signs its documents (receipts, volunteer certificates): name, address and representative in each
language those documents are written in (settings.RECEIPT_LANGUAGES)."""

from django.conf import settings

from jii.languages import nearest_language

ISSUER = {
    "name_ja": "特定非営利活動法人 アジア人文文化交流促進協会",
    "name_en": "NPO Japan Intercultural Intelligence (JII)",
    "address_ja": "東京都目黒区下目黒5-27-5",
    "address_en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo",
    "representative_ja": "理事長 石川 憲彦",
    "representative_en": "Norihiko Ishikawa, Chair",
}


def document_language(language: str) -> str:
    """The nearest of the languages JII's documents are written in."""
    return nearest_language(settings.RECEIPT_LANGUAGES, language) or settings.RECEIPT_LANGUAGES[0]


def issuer_in(language: str) -> dict[str, str]:
    """Name, address and representative as written in that language (or the nearest one there is)."""
    language = document_language(language)
    return {part: ISSUER[f"{part}_{language}"] for part in ("name", "address", "representative")}
