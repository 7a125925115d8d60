"""Assisted intake: a coordinator fills in a resident's public form (OFP, Spot, Hanamaru, Kurashi) for someone who
phoned or came in, with `?assisted=1`. The same form and the same service; the email may be left out for a
phone number; the resident's own language is chosen; and who took it, how the resident agreed and the consent
words read to them are recorded with it, in the same transaction."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import pgettext

from jii.forms import AssistedIntakeForm, allow_phone_instead_of_email
from jii.languages import current_language
from jii.models import AssistedIntake, Resident

PERMISSION = "jii.add_assistedintake"
# (label, URL name) of each program's public form, registered by the program: the admin's assisted-intake page
# links to each.
FORMS: list[tuple[str, str]] = []


def register_form(label, url_name: str) -> None:
    if (label, url_name) not in FORMS:
        FORMS.append((label, url_name))


def assisted_form(request, form) -> AssistedIntakeForm | None:
    """The assisted-intake part of the page, for a coordinator who asked for it (None for everyone else)."""
    if request.GET.get("assisted") != "1" or not request.user.has_perm(PERMISSION):
        return None
    allow_phone_instead_of_email(form)
    data = request.POST if request.method == "POST" else None
    return AssistedIntakeForm(data, initial={"language": current_language()})


def language_for(assisted: AssistedIntakeForm | None) -> str:
    return assisted.cleaned_data["language"] if assisted else current_language()


@transaction.atomic
def record(*, assisted: AssistedIntakeForm, resident: Resident, program: str, taken_by, consent_text) -> AssistedIntake:
    return AssistedIntake.objects.create(
        resident=resident,
        program=program,
        taken_by=taken_by,
        agreed=assisted.cleaned_data["agreed"],
        consent_text=str(consent_text),
        consent_language=current_language(),
    )


def is_valid(form, assisted) -> bool:
    return form.is_valid() and (assisted is None or assisted.is_valid())


def submit(request, form, assisted, *, program: str, service, thanks: str):
    """A valid public form sent: the program's service, and for a coordinator the intake record, in one
    transaction. The service returns what it created, which has the `resident`."""
    with transaction.atomic():
        created = service(language=language_for(assisted), **form.submission())
        if assisted is None:
            return redirect(thanks)
        record(assisted=assisted, resident=created.resident, program=program, taken_by=request.user,
               consent_text=form.consent_text)  # fmt: skip
    return done(request, created.resident)


def done(request, resident: Resident):
    """Back to the resident's page in the admin, to print their status link if they have no email."""
    messages.success(request, pgettext("staff", "Entered for %(name)s.") % {"name": resident.name})
    return redirect(reverse("admin:jii_resident_change", args=[resident.pk]))
