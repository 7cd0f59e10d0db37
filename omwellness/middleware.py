from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest


@cache
def content_security_policy(form_targets: tuple[str, ...]) -> str:
    """Scripts only from our own origin: no inline script, so an injected <script> in
    any user-supplied text cannot run. JSON-LD is data, not script, and is allowed.
    Forms may lead to Stripe Checkout (a redirect after POST counts as form-action)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self' " + " ".join(form_targets),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds the headers Django 5.2 does not set itself: CSP and Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            targets = tuple(_origin(url) for url in settings.CSP_FORM_ACTION_EXTRA)
            if settings.STRIPE_API_BASE:
                targets += (_origin(settings.STRIPE_API_BASE),)
            response.setdefault("Content-Security-Policy", content_security_policy(targets))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character has no place in an address, and PostgreSQL refuses text containing
    one: looking up a reference or token that carries it would fail with a server error.
    Forms refuse NUL themselves, with a message beside the field; this covers the path
    and the query string, which views read directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_query = any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        )
        if in_query or "\x00" in request.path:
            raise BadRequest("NUL character in the address")
        return self.get_response(request)
