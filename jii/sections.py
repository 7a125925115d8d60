"""Program apps add sections to jii's shared pages without jii importing them.

An app registers a template and a function that gives its context, in its AppConfig.ready():

    register_home_section("donations/_current_campaign.html", current_campaign_context)
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

HOME_SECTIONS: list[tuple[str, Callable]] = []


def register_home_section(template_name: str, get_context: Callable) -> None:
    if (template_name, get_context) not in HOME_SECTIONS:
        HOME_SECTIONS.append((template_name, get_context))


def render_home_sections(request) -> list[str]:
    """Each registered section rendered (escaped by its own template), in registration order."""
    return [
        mark_safe(render_to_string(template_name, get_context(request), request=request))  # noqa: S308
        for template_name, get_context in HOME_SECTIONS
    ]
