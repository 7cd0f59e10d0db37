"""The bodies of an email, rendered from templates/emails/<name>.txt and .html, in the
language of the person it is written to.

The one home of what every email's templates are given, whoever composes them: the
site's address, and the sender identification that every footer carries
(templates/emails/base.*): the centre's name, mailing address, email and web address,
read from `Centre.current()`, which staff edit in the admin. A sender that composes
many emails at once passes the row it read, so a batch reads it once.

The one home, too, of the language an email is written in: `compose` builds the
subject and the context (program titles, dates, money) and renders both bodies inside
`translation.override(<the person's language>)`, so an email written by a background
job, a Celery task or an admin action, all running in English, still reaches a French
reader in French. Callers pass the language stored on the record (registration,
waitlist entry, subscriber, account) and hand the subject and context over as
functions, called here once the language is active.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from omwellness.languages import supported
from omwellness.models import Centre


@dataclass(frozen=True)
class Composed:
    """An email's words, in one language: its subject, its two bodies, and the files it
    carries (a calendar file: [{"filename": ..., "content": <text>, "mimetype": ...}])."""

    subject: str
    body_text: str
    body_html: str
    attachments: Sequence[dict] = ()


def compose(
    *,
    language: str | None,
    subject: Callable[[], str],
    template: str,
    context: Callable[[], dict],
    sender: Centre | None = None,
    attachments: Callable[[], Sequence[dict]] | None = None,
) -> Composed:
    """The subject and bodies of templates/emails/<template>.*, all written in `language`
    ("en" or "fr"; anything else reads English): `subject()`, `context()` and
    `attachments()` are called with that language active, so what they build is in it."""
    with translation.override(supported(language)):
        subject_text = str(subject())
        body_text, body_html = render(template=template, context=context(), sender=sender)
        files = tuple(attachments()) if attachments is not None else ()
    return Composed(
        subject=subject_text, body_text=body_text, body_html=body_html, attachments=files
    )


def render(*, template: str, context: dict, sender: Centre | None = None) -> tuple[str, str]:
    """The plain-text and HTML bodies of templates/emails/<template>.txt and .html, in the
    active language (`compose` sets it for each email)."""
    context = {
        "site_url": settings.SITE_URL,
        "home_url": home_url(),
        "sender": sender or Centre.current(),
        **context,
    }
    rendered = render_to_string(f"emails/{template}.txt", context)
    # Template tags leave runs of empty lines; a plain-text email reads best with one.
    text = re.sub(r"\n{3,}", "\n\n", rendered.replace("\r\n", "\n")).strip() + "\n"
    return text, render_to_string(f"emails/{template}.html", context)


def home_url() -> str:
    """The site's home page in the active language ("/" in English; "/fr/" once the
    French pages have their prefix, which `reverse` adds by itself)."""
    return settings.SITE_URL + reverse("home")
