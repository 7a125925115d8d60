"""Localized email: every message is three templates (subject, text body, HTML body) rendered in the
recipient's language. The outbox (jii/outbox.py) calls it; nothing else sends a message to a person."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from jii.furigana import add_to_html, bracket_text, wants_furigana
from jii.languages import language_tag


def render_localized(name: str, *, language: str, context: dict | None = None) -> tuple[str, str, str]:
    """The subject, text body and HTML body of templates/emails/<name>_… in `language`."""
    context = {"site_url": settings.SITE_URL.rstrip("/"), **(context or {})}
    with translation.override(language):
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        context |= {"html_lang": language_tag(language), "html_dir": direction}
        context["privacy_url"] = context["site_url"] + reverse("privacy")
        subject: str = render_to_string(f"emails/{name}_subject.txt", context).strip()
        # Every message ends with where to read how JII handles the reader's information.
        text = render_to_string(f"emails/{name}_body.txt", context).rstrip() + "\n\n"
        text += render_to_string("emails/_footer.txt", context)
        html: str = render_to_string(f"emails/{name}_body.html", context)
        html = html.replace("</body>", render_to_string("emails/_footer.html", context) + "</body>", 1)
    if wants_furigana(language):  # readings in brackets: mail clients and LINE drop <ruby>
        subject, text, html = bracket_text(subject), bracket_text(text), add_to_html(html, write=bracket_text)
    return " ".join(subject.split()), text, html


def send_localized_email(
    name: str, *, to: str, language: str, context: dict | None = None, attachments: list | None = None
) -> None:
    """Send templates/emails/<name>_subject.txt, _body.txt and _body.html in `language` to `to`, with optional
    (filename, content, mimetype) attachments."""
    subject, text, html = render_localized(name, language=language, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(*attachment)
    message.send()
