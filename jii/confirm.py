"""A second step before a resident or volunteer undoes something with one tap (cancel a request, withdraw a
child, give up a tutoring session): the same POST comes back to a page that says what will happen, and only the
button there, which sends `confirmed=yes`, does it. No JavaScript needed. A `form` (optional) is shown above
the button, for a few words that go with the step."""

from django.shortcuts import render


def confirmed(request) -> bool:
    return request.POST.get("confirmed") == "yes"


def ask(request, *, question: str, consequence: str, button: str, back_url: str, form=None):
    context = {"question": question, "consequence": consequence, "button": button, "back_url": back_url,
               "next": request.POST.get("next", ""), "token": request.POST.get("token", ""), "form": form}  # fmt: skip
    return render(request, "jii/confirm.html", context)
