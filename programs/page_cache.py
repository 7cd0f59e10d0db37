"""The home page and the public program pages, shared by everyone who reads them.

These pages say the same to every reader except for the site header (signed in or
not, facilitator, staff) and the visitor's CSRF token in their forms. So each is
rendered once and kept in the cache, per address (one per language), with markers
where those two go:

- `body`: the page with HEADER_MARKER in place of the site header and CSRF_MARKER in
  place of the token. Any reader's page is this body with their own header rendered
  in (a small template) and their token filled in: a signed-in page costs one cache
  read and the header, not the page's queries and full render.
- `anonymous`: the finished response an anonymous visitor gets (headers included, the
  CSRF cookie apart), stored on the way out by SharedPageMiddleware, which answers the
  next anonymous visitor with it before the rest of the middleware and the view run.

A kept page lives at most TTL_SECONDS, and any write that changes what it shows
deletes it as soon as that write commits. So the seats-left figure is never more
than a second behind, even when a hold lapses without any write (the hold itself is
decided under the program's row lock, never from a page).

Writes to the catalogue (the program, its sessions, prices, questions or
facilitators) are heard here. Writes to bookings (registrations, waitlist offers)
belong to registrations, which the catalogue does not know: registrations calls
`forget` itself when they change (registrations/signals.py).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import PriceOption, Program, Question, Session

TTL_SECONDS = 1
HEADER_MARKER = "<!--site-header-->"
CSRF_MARKER = "{{visitor-csrf-token}}"
# The context that draws a page with the two markers (base.html leaves the header out).
MARKERS = {"shared_page": True, "csrf_token": CSRF_MARKER}
# What a kept response carries besides its content: the security headers the middleware
# inside SharedPageMiddleware set, and what caches and browsers need. Never Set-Cookie.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "Vary",
    "Cache-Control",
)


def body_key(path: str) -> str:
    return f"page-body:{path}"


def anonymous_key(path: str) -> str:
    return f"page-anonymous:{path}"


def may_share(request: HttpRequest) -> bool:
    """Whether this request may get the shared page: a plain GET with no message waiting
    to be shown (a message cookie, or messages kept in the session)."""
    if request.method != "GET" or "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and session is not None
        and session.get("_messages")
    )


def anonymous_without_state(request: HttpRequest) -> bool:
    """A visitor with no session and no pending message, asking for the plain address:
    known without touching the session store."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.META.get("QUERY_STRING")
    )


def finished(request: HttpRequest, body: str) -> HttpResponse:
    """A kept body made this reader's page: their header and their CSRF token put in."""
    token = get_token(request)
    header = render_to_string("_site_header.html", request=request)
    response = HttpResponse(body.replace(HEADER_MARKER, header, 1).replace(CSRF_MARKER, token))
    response.shared_page_token = token  # type: ignore[attr-defined]
    return response


def paths_of(slug: str | None) -> list[str]:
    """The addresses a change to the program `slug` (or to any program) touches: its page
    and the home page, in every language."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse("home"))
            if slug is not None:
                paths.append(reverse("programs:detail", args=[slug]))
    return paths


def forget(*, program_id: int | None = None, slug: str | None = None) -> None:
    """Drops the kept pages once the current transaction commits."""

    def delete() -> None:
        nonlocal slug
        if slug is None and program_id is not None:
            slug = Program.objects.filter(pk=program_id).values_list("slug", flat=True).first()
        paths = paths_of(slug)
        cache.delete_many([key(path) for path in paths for key in (body_key, anonymous_key)])

    # robust: with Redis down the write has committed all the same; a failed delete must
    # neither fail the request nor stop later callbacks (the outbox enqueue among them).
    # The page expires on its own within TTL_SECONDS.
    transaction.on_commit(delete, robust=True)


@receiver([post_save, post_delete], sender=Program)
def _program_changed(sender, instance: Program, **kwargs) -> None:
    forget(slug=instance.slug)


@receiver([post_save, post_delete], sender=Session)
@receiver([post_save, post_delete], sender=PriceOption)
@receiver([post_save, post_delete], sender=Question)
def _part_changed(sender, instance, **kwargs) -> None:
    forget(program_id=instance.program_id)


@receiver(m2m_changed, sender=Program.facilitators.through)
def _facilitators_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Program):
        forget(slug=instance.slug)
    else:
        for slug in instance.programs.values_list("slug", flat=True):
            forget(slug=slug)
