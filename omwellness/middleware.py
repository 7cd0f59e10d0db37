import logging
import sys
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults


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


# --- The database out of reach ------------------------------------------------------------

logger = logging.getLogger(__name__)

# Forms whose answers the "database unavailable" page keeps, to be sent again as they were.
# Their own pages cannot be drawn without the database (fees and questions live there),
# so the page carries what was posted in a form of its own. Only these: a sign-in form's
# password, say, must not be written back into a page.
FORMS_KEPT = {"registrations:register", "registrations:waitlist_join"}
# Connection failures (SQLSTATE class 08) and a server shutting down (57P01-57P03).
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database could not be reached, rather than that it
    refused a statement.

    Only the first is answered with the calm 503 page: a deadlock, a full disk or a
    broken query rises as before, is logged with its traceback and gets the 500 page,
    so a real defect is never dressed up as an outage. psycopg reports a refused or
    dropped connection as an OperationalError with no SQLSTATE (or class 08), and using
    a connection already lost as an InterfaceError.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", "not from PostgreSQL")
    return sqlstate is None or sqlstate.startswith(UNREACHABLE_STATES)


def database_unavailable_page(request: HttpRequest) -> HttpResponse:
    """The 503 page, drawn without the database: no context processor runs (they would
    read the session and the user), and the layout needs nothing but the URLconf."""
    match = request.resolver_match
    kept = []
    if request.method == "POST" and match is not None and match.view_name in FORMS_KEPT:
        kept = [(name, value) for name, values in request.POST.lists() for value in values]
    page = loader.render_to_string(
        "503.html", {"kept": kept, "action": request.path, "retry_url": request.get_full_path()}
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """While the database is down, pages answer the calm 503 page instead of a bare 500.

    Nothing to do when it is back: Django drops a connection that failed at the end of
    the request, and the next request opens a new one (CONN_HEALTH_CHECKS).
    Last in MIDDLEWARE, so it sees a view's exception first; a failure in another
    middleware (the session saved after the view) reaches `server_error` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unreachable(exception):
            return None
        logger.warning(
            "Database unreachable: %s %s answered 503: %s", request.method, request.path, exception
        )
        return database_unavailable_page(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the database is out of reach, else Django's own
    500 view, which draws 500.html without the database (no request context)."""
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable_page(request)
    return defaults.server_error(request)
