"""The campaign's preview card (Open Graph / Twitter image): a 1200×630 PNG of its title, its two bars and JII's
name, in the page's language, drawn with Pillow. It holds no personal data, only the campaign's totals."""

import functools
import io
import subprocess

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from donations.models import Campaign
from jii.languages import current_language, reads_japanese
from jii.templatetags.humanize_yen import yen

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
BARS_TOP, BAR_OFFSET, BAR_STEP = 230, 100, 145  # each bar's label, figures and the bar itself
INK, MUTED, TRACK, FILL, BACKGROUND = "#1f2933", "#52606d", "#e4e7eb", "#0f766e", "#fdfbf7"


@functools.cache
def font_file(pattern: str) -> str:
    """The font file fontconfig picks for a pattern, as WeasyPrint's receipts find theirs."""
    try:
        found = subprocess.run(  # noqa: S603 (our own pattern: a family, a language, a code point)
            ["fc-match", "--format=%{file}", pattern],  # noqa: S607 (fontconfig's tool, found on PATH)
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise ImproperlyConfigured("The preview image needs fontconfig's fc-match (Debian: fontconfig)") from error
    return found.strip()


@functools.cache
def characters(path: str) -> frozenset[int]:
    return frozenset(TTFont(path, fontNumber=0, lazy=True).getBestCmap() or ())


def fontconfig_language(language: str) -> str:
    return {"zh-hans": "zh-cn"}.get(language, language.split("-")[0])


def fonts(language: str) -> list[str]:
    """The fonts to draw a language in, best first: the receipts' font (IPAexGothic) for Japanese; for another
    language the one fontconfig has for it (Cyrillic, Devanagari, Arabic...), then the receipts' font."""
    receipt = font_file(f"{settings.RECEIPT_FONT_FAMILY}:lang=ja")
    if reads_japanese(language):
        return [receipt]
    return [font_file(f":lang={fontconfig_language(language)}"), receipt]


def font_with(char: str, language: str) -> str:
    found = (path for path in fonts(language) if ord(char) in characters(path))
    return next(found, None) or font_file(f":charset={ord(char):x}")  # a font that has it, wherever it is


def runs(text: str, language: str) -> list[tuple[str, str]]:
    """The text as (font file, piece): a new piece where the font lacks the next character (no font has both
    Devanagari and Latin letters, say), so no character is drawn as a box."""
    pieces: list[tuple[str, str]] = []
    for char in text:
        if pieces and (char.isspace() or ord(char) in characters(pieces[-1][0])):
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + char)
        else:
            pieces.append((font_with(char, language), char))
    return pieces


@functools.cache
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def text_width(draw: ImageDraw.ImageDraw, text: str, language: str, size: int) -> float:
    return sum(draw.textlength(piece, font=font(path, size)) for path, piece in runs(text, language))


def write(draw: ImageDraw.ImageDraw, x: int, baseline: int, text: str, language: str, size: int, fill: str):
    for path, piece in runs(text, language):
        draw.text((x, baseline), piece, font=font(path, size), fill=fill, anchor="ls")
        x += round(draw.textlength(piece, font=font(path, size)))


def lines(draw: ImageDraw.ImageDraw, text: str, language: str, size: int, most: int) -> list[str]:
    """The text in lines that fit the card (a line breaks at its last space, or anywhere in Japanese)."""
    found, line = [], ""
    for char in text:
        if text_width(draw, line + char, language, size) <= WIDTH - 2 * MARGIN:
            line += char
            continue
        head, space, tail = line.rpartition(" ")
        found, line = (found + [head], tail + char) if space and head else (found + [line], char)
    found.append(line)
    if len(found) > most:
        found = found[:most]
        found[-1] = found[-1][:-1] + "…"
    return found


def render(campaign: Campaign, state: dict) -> bytes:
    """The card for the campaign's progress `state` (progress.campaign_state), in the active language."""
    language = current_language()
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    baseline = MARGIN + 54
    for line in lines(draw, str(campaign.title), language, 54, most=2):
        write(draw, MARGIN, baseline, line, language, 54, INK)
        baseline += 70
    supporters, goal = state["supporters"], campaign.goal_new_monthly_supporters
    bars = [
        (_("JII Partners: new monthly or yearly supporters"), supporters, goal, f"{supporters:,} / {goal:,}"),
        (
            _("Gifts received, one-off included"),
            state["yen"],
            campaign.goal_amount_yen,
            f"{yen(state['yen'])} / {yen(campaign.goal_amount_yen)}",
        ),
    ]
    top = BARS_TOP
    for label, now, target, figures in bars:
        write(draw, MARGIN, top + 30, label, language, 30, MUTED)
        write(draw, MARGIN, top + 82, figures, language, 40, INK)
        bar = top + BAR_OFFSET
        draw.rounded_rectangle((MARGIN, bar, WIDTH - MARGIN, bar + 22), radius=11, fill=TRACK)
        done = min(now / target, 1) if target else 0
        if done:
            right = MARGIN + max(round(done * (WIDTH - 2 * MARGIN)), 22)
            draw.rounded_rectangle((MARGIN, bar, right, bar + 22), radius=11, fill=FILL)
        top += BAR_STEP
    write(draw, MARGIN, HEIGHT - MARGIN, _("NPO Japan Intercultural Intelligence (JII)"), language, 28, MUTED)
    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    return png.getvalue()
