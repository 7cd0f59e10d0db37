"""The bodies of an email, rendered from templates/emails/<name>.txt and .html.

The one home of what every email's templates are given, whoever composes them: the
site's address, and the sender identification that every footer carries
(templates/emails/base.*): the centre's name, mailing address, email and web address,
read from `Centre.current()`, which staff edit in the admin. A sender that composes
many emails at once passes the row it read, so a batch reads it once.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string

from omwellness.models import Centre


def render(*, template: str, context: dict, sender: Centre | None = None) -> tuple[str, str]:
    """The plain-text and HTML bodies of templates/emails/<template>.txt and .html."""
    context = {
        "site_url": settings.SITE_URL,
        "home_url": settings.SITE_URL + "/",
        "sender": sender or Centre.current(),
        **context,
    }
    rendered = render_to_string(f"emails/{template}.txt", context)
    # Template tags leave runs of empty lines; a plain-text email reads best with one.
    text = re.sub(r"\n{3,}", "\n\n", rendered.replace("\r\n", "\n")).strip() + "\n"
    return text, render_to_string(f"emails/{template}.html", context)
