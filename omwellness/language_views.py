"""How the site's language is chosen and remembered.

- The address decides: English pages live at their usual paths, French ones under /fr/
  (omwellness.urls). LocaleMiddleware reads the prefix; an unprefixed page is English.
- The switch in the header (base.html) posts here: the person lands on the same page in
  the other language, and the choice is remembered in the language cookie and, when
  they are signed in, on their account (the language of their emails).
- Only the home page `/` looks further, to send a French reader to `/fr/`: the cookie
  when the person has chosen, else the browser's Accept-Language on a first visit.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .languages import DEFAULT, has_translations, path_in, supported


def chosen_language(request: HttpRequest) -> str:
    """The language the home page `/` sends this person to: the cookie if set, else
    Accept-Language, else English (the path is not read)."""
    return supported(translation.get_language_from_request(request))


def first_visit_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps the home page: `/` redirects to `/fr/` for a person whose language cookie
    says French, or, with no cookie yet, whose browser prefers French."""

    @wraps(view)
    def home(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if translation.get_language_from_path(request.path_info) is not None:
            return view(request, *args, **kwargs)  # /fr/: the address has decided
        chosen = chosen_language(request)
        if chosen != DEFAULT and request.method in ("GET", "HEAD"):
            response: HttpResponse = HttpResponseRedirect(path_in(request.get_full_path(), chosen))
        else:
            response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return home


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's switch: the same page in the chosen language, remembered.

    The form sends the page's path without its query string (the program page is
    shared between visitors by the page cache, so it carries nothing of one visitor's
    address); the query string comes back from the Referer when it is the same page.
    """
    language = supported(request.POST.get("language"))
    current = _safe_path(request, request.POST.get("next", ""))
    target = path_in(current, language) if has_translations(current) else current
    query = _referer_query(request, current)
    response = HttpResponseRedirect(target + (f"?{query}" if query else ""))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    user = request.user
    if user.is_authenticated and getattr(user, "language", language) != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def _safe_path(request: HttpRequest, path: str) -> str:
    """`path` when it is a path on this site, else the home page."""
    allowed = url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not allowed or not path.startswith("/") or path.startswith("//"):
        return "/"
    return urlsplit(path).path or "/"


def _referer_query(request: HttpRequest, path: str) -> str:
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc != request.get_host() or referer.path != path:
        return ""
    return referer.query
