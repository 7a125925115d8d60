"""Program figures the public pages may show (e.g. the campaign page: what gifts make possible). Each program
registers a function in its AppConfig.ready(); readers get plain (label, number) rows and never touch the
programs' models. Registered functions should run one or two aggregate queries."""

from collections.abc import Callable

from django.core.cache import cache

FIGURES: list[tuple[str, Callable[[], list[tuple[str, int]]]]] = []
CACHE_SECONDS = 600


def register_figures(name: str, compute: Callable[[], list[tuple[str, int]]]) -> None:
    if name not in [existing for existing, _compute in FIGURES]:
        FIGURES.append((name, compute))


def percent(part: int, whole: int) -> float | None:
    """part of whole in percent, to one decimal; None when there is no whole to take a part of."""
    return round(100 * part / whole, 1) if whole else None


def public_figures() -> list[tuple[str, int]]:
    """Every program's public figures, computed at most every ten minutes (labels are lazy translations)."""
    rows: list[tuple[str, int]] = []
    for name, compute in FIGURES:
        rows += cache.get_or_set(f"public-figures:{name}", compute, CACHE_SECONDS)
    return rows
