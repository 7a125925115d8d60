"""Readings over kanji for readers of plain Japanese (settings.FURIGANA_LANGUAGES), computed by MeCab (fugashi)
with the UniDic dictionary it ships rather than written into the catalog: pages get
<ruby>漢字<rt>かんじ</rt></ruby>, emails 漢字（かんじ） because mail clients drop <ruby>.

Only text is touched, never tags, attributes or text that cannot hold markup (form values, <option>, <title>);
each text is converted once per process (the same labels and sentences repeat on every page)."""

import re
from functools import lru_cache

import fugashi
from django.conf import settings
from django.utils.html import escape

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+")
# Text inside these cannot carry <ruby> or is not read as text.
HIRAGANA = re.compile(r"[ぁ-ゖー]+")
RAW_ELEMENTS = {"script", "style", "textarea", "option", "title", "ruby", "rt", "rp", "code", "pre"}
TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9-]+)")
# UniDic's readings that plain-Japanese texts write otherwise.
USUAL_READINGS = {"日本": "にほん"}


def wants_furigana(language: str) -> bool:
    return language in settings.FURIGANA_LANGUAGES


@lru_cache(maxsize=1)
def _tagger() -> fugashi.Tagger:
    return fugashi.Tagger()


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _split(word: str, reading: str) -> list[tuple[str, str]]:
    """(text, reading) pieces of one word, reading only over its kanji: 申し込む/もうしこむ →
    申/もう, し, 込/こ, む. A word whose kana do not line up with its reading keeps one reading for the whole."""
    pieces = re.split(f"({KANJI.pattern})", word)
    pattern = "".join("(.+?)" if KANJI.fullmatch(piece) else re.escape(_hiragana(piece)) for piece in pieces if piece)
    match = re.fullmatch(pattern, reading)
    if not match:
        return [(word, reading)]
    readings = iter(match.groups())
    return [(piece, next(readings)) if KANJI.fullmatch(piece) else (piece, "") for piece in pieces if piece]


@lru_cache(maxsize=8192)
def _pieces(text: str) -> tuple[tuple[str, str], ...]:
    """(text, reading) pieces whose concatenation is `text`; the reading is empty but over kanji."""
    pieces, position = [], 0
    for word in _tagger()(text):
        start = text.index(word.surface, position)
        if start > position:
            pieces.append((text[position:start], ""))  # the spaces MeCab skips
        reading = USUAL_READINGS.get(word.surface) or _hiragana(word.feature.kana or "")
        if KANJI.search(word.surface) and HIRAGANA.fullmatch(reading):
            pieces.extend(_split(word.surface, reading))
        else:
            pieces.append((word.surface, ""))
        position = start + len(word.surface)
    pieces.append((text[position:], ""))
    return tuple(piece for piece in pieces if piece[0])


@lru_cache(maxsize=8192)
def ruby_text(text: str) -> str:
    """HTML text (already escaped) with <ruby> over every kanji run."""
    if not KANJI.search(text):
        return text
    return "".join(
        f"<ruby>{piece}<rp>(</rp><rt>{escape(reading)}</rt><rp>)</rp></ruby>" if reading else piece
        for piece, reading in _pieces(text)
    )


def bracket_text(text: str) -> str:
    """Plain text with the reading after every kanji run: 漢字（かんじ）."""
    if not KANJI.search(text):
        return text
    return "".join(f"{piece}（{reading}）" if reading else piece for piece, reading in _pieces(text))


def add_to_html(html: str, write=ruby_text) -> str:
    """`html` with readings on the kanji of its text, outside RAW_ELEMENTS."""
    out, raw_depth = [], 0
    for part in TAG.split(html):
        if part.startswith("<"):
            name = TAG_NAME.match(part)
            if name and name.group(2).lower() in RAW_ELEMENTS and not part.endswith("/>"):
                raw_depth += -1 if name.group(1) else 1
                raw_depth = max(raw_depth, 0)
            out.append(part)
        else:
            out.append(part if raw_depth or not part else write(part))
    return "".join(out)
