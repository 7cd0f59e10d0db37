"""Answers anonymous visitors from the kept home and program pages (page_cache.py)
before the session, authentication, messages and the view run.

Placed right after SecurityMiddleware and WhiteNoise: their headers (HSTS, nosniff,
referrer policy, cross-origin opener policy) are added to the kept page on the way
out like to any other; the ones set further in (Content-Security-Policy,
Permissions-Policy, X-Frame-Options) were kept with the page. The visitor's CSRF
cookie is read and set by Django's own CsrfViewMiddleware code.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware, get_token

from . import page_cache


class SharedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        servable = page_cache.anonymous_without_state(request) and not _language_undecided(request)
        if servable:
            kept = cache.get(page_cache.anonymous_key(request.path_info))
            if kept is not None:
                return self._serve(request, kept)
        response = self.get_response(request)
        if (
            servable
            and isinstance(response, HttpResponse)
            and getattr(response, "shared_page", False)
            and response.status_code == 200
        ):
            self._keep(request, response)
        return response

    def _serve(self, request: HttpRequest, kept: dict) -> HttpResponseBase:
        self.csrf.process_request(request)
        token = get_token(request)
        response = HttpResponse(
            kept["content"].replace(page_cache.CSRF_MARKER.encode(), token.encode())
        )
        for name, value in kept["headers"].items():
            response[name] = value
        return self.csrf.process_response(request, response)

    def _keep(self, request: HttpRequest, response: HttpResponse) -> None:
        content = response.content.replace(
            response.shared_page_token.encode(),  # type: ignore[attr-defined]
            page_cache.CSRF_MARKER.encode(),
        )
        headers = {
            name: response[name] for name in page_cache.KEPT_HEADERS if response.has_header(name)
        }
        cache.set(
            page_cache.anonymous_key(request.path_info),
            {"content": content, "headers": headers},
            page_cache.TTL_SECONDS,
        )


def _language_undecided(request: HttpRequest) -> bool:
    """The first visit to `/` by someone whose browser may prefer French: the language
    middleware decides where they go, so the kept English home page is not served."""
    return request.path_info == "/" and (
        settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        or "fr" in request.META.get("HTTP_ACCEPT_LANGUAGE", "").lower()
    )
