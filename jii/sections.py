"""Program apps add sections to jii's shared pages without jii importing them.

Pages: "programs" (the home page's card of each program, in the order of INSTALLED_APPS), "home" (everyone,
below the programs), "status" (a resident's private status page), "volunteer" (a volunteer's own
page) and "desk" (the admin's index, Today's desk: what needs a staff member's attention, for those whose work it
is). An app registers a template and a function that returns its context, in its AppConfig.ready():

    register_section("status", "matching/_status.html", ofp_status_context)

The function gets the request and the page's subject (the resident, or the volunteer's profile); it should
run a fixed number of queries and return None when it has nothing to show.
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

SECTIONS: dict[str, list[tuple[str, Callable]]] = {
    "programs": [],
    "home": [],
    "status": [],
    "volunteer": [],
    "desk": [],
}


def register_section(page: str, template_name: str, get_context: Callable) -> None:
    if (template_name, get_context) not in SECTIONS[page]:
        SECTIONS[page].append((template_name, get_context))


def always_shown(request, *subject) -> dict:
    """The context of a section that is the same for everyone, such as a program's card on the home page."""
    return {}


def render_sections(page: str, request, *subject) -> list[str]:
    """Each registered section that has something to show, rendered by its own (escaping) template."""
    rendered = []
    for template_name, get_context in SECTIONS[page]:
        context = get_context(request, *subject)
        if context is not None:
            rendered.append(mark_safe(render_to_string(template_name, context, request=request)))  # noqa: S308
    return rendered


def volunteers_desk_context(request) -> dict | None:
    """Today's desk, in February and March: how many approved volunteers have no insurance yet for the year that
    starts in April (one query), linking to the list of them."""
    from jii import readiness, services  # the core's services import models, not ready when this module loads

    today = timezone.localdate()
    if today.month not in (2, 3) or not request.user.has_perm("jii.view_volunteerprofile"):
        return None
    year = readiness.insurance_year(today) + 1
    count = services.not_covered_for(year).count()
    url = reverse("admin:jii_volunteerprofile_changelist") + "?insured=next&status__exact=approved"
    return {"not_covered": count, "year": year, "url": url} if count else None
