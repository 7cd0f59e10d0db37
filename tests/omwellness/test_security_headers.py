"""Security headers and cookies as production serves them.

The values come from omwellness/settings.py itself, read in a separate process with the
environment the README's production section sets; this process then serves pages with
them through the whole middleware stack. tests/omwellness/test_project.py checks the headers of the
home page in development; here: HSTS, the redirect to https, every kind of page, and
every cookie the site sets. tests/omwellness/test_production_stack.py sees the same over gunicorn.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from ..factories import FacilitatorFactory, ProgramFactory, RegistrationFactory, UserFactory
from ..helpers import PRODUCTION_ENV, form_data, run_settings

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "STRIPE_API_BASE",
]
HOST = "register.omwellness.ca"


@pytest.fixture(scope="module")
def production_values() -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    env = {**PRODUCTION_ENV, "SITE_URL": f"https://{HOST}"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**run_settings_env(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def run_settings_env() -> dict:
    """The environment test_project.run_settings starts from: no DJANGO_ or STRIPE_ values."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STRIPE_"))
    } | {"DJANGO_SETTINGS_MODULE": "omwellness.settings"}


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    settings.ALLOWED_HOSTS = [HOST]
    settings.SECURE_REDIRECT_EXEMPT = production_values["SECURE_REDIRECT_EXEMPT"]
    return settings


def https(client, method: str, path: str, data=None, **extra):
    """A request as the TLS-terminating proxy hands it on."""
    return getattr(client, method)(path, data, secure=True, headers={"Host": HOST}, **extra)


def test_production_settings_read_from_the_environment_turn_everything_on(production_values):
    assert production_values["DEBUG"] is False
    assert production_values["SECURE_SSL_REDIRECT"] is True
    assert production_values["SECURE_HSTS_SECONDS"] >= 31536000
    assert production_values["SESSION_COOKIE_SECURE"] is True
    assert production_values["CSRF_COOKIE_SECURE"] is True
    assert production_values["SESSION_COOKIE_HTTPONLY"] is True
    assert production_values["STRIPE_API_BASE"] == ""  # Stripe itself, never the stand-in
    assert run_settings(PRODUCTION_ENV).returncode == 0


def test_plain_http_is_sent_to_https_except_the_health_check(client, production):
    response = client.get("/programs/", headers={"Host": HOST})
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/programs/"
    assert client.get("/healthz/", headers={"Host": HOST}).status_code == 200


def page_paths(client) -> dict[str, str]:
    program = ProgramFactory()
    registration = RegistrationFactory(program=program)
    teacher = UserFactory()
    program.facilitators.add(FacilitatorFactory(user=teacher))
    # The emailed link, opened once: the browser keeps a cookie and the addresses are clean.
    https(client, "get", registration.get_absolute_url(), {"token": registration.access_token})
    return {
        "home": "/",
        "programs": "/programs/",
        "program": program.get_absolute_url(),
        "register": reverse("registrations:register", args=[program.slug]),
        "sign in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "registration": registration.get_absolute_url(),
        "cancel": reverse("registrations:cancel", args=[registration.reference]),
        "not found": "/no-such-page/",
    }


def assert_hardened(response) -> None:
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "payment=()" in response["Permissions-Policy"]
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["style-src"]
    # In production forms may lead to Stripe's Checkout, never to the local stand-in.
    assert policy["form-action"].split() == ["'self'", "https://checkout.stripe.com"]


def test_every_kind_of_page_carries_the_security_headers(client, production):
    for name, path in page_paths(client).items():
        response = https(client, "get", path)
        assert response.status_code in (200, 404), name
        assert_hardened(response)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


def test_pages_need_nothing_the_policy_forbids(client, production, user):
    """No inline script, event handler or style: the CSP blocks them, so a page that used
    one would break in the browser with nothing failing on the server."""
    paths = page_paths(client)
    client.force_login(user)
    paths |= {"my registrations": reverse("registrations:list")}
    for name, path in paths.items():
        page = https(client, "get", path).content.decode()
        assert not INLINE_SCRIPT.search(page), name
        assert not INLINE_HANDLER.search(page), name
        assert not INLINE_STYLE.search(page), name


def cookie_flags(response) -> dict[str, dict]:
    """The cookies a response sets; one it deletes (empty, expired) holds nothing."""
    return {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
        for name, morsel in response.cookies.items()
        if not (morsel.value == "" and morsel["max-age"] == 0)
    }


def test_every_cookie_is_secure_and_all_but_csrf_are_out_of_reach_of_scripts(
    client, production, stripe_standin, settings
):
    settings.STRIPE_API_BASE = stripe_standin.url
    program = ProgramFactory()
    user = UserFactory(email="member@example.com")
    cookies: dict[str, dict] = {}

    for response in [
        https(client, "get", reverse("account_login")),  # csrftoken
        https(
            client,
            "post",
            reverse("account_login"),
            {"login": user.email, "password": "correct horse battery"},
        ),  # sessionid
        https(
            client,
            "post",
            reverse("registrations:register", args=[program.slug]),
            form_data(program),
        ),
        https(client, "post", reverse("account_logout")),  # messages
    ]:
        assert response.status_code in (200, 302, 303)
        cookies |= cookie_flags(response)

    assert {"csrftoken", "sessionid", "omw_registrations", "messages"} <= set(cookies)
    for name, flags in cookies.items():
        assert flags["secure"], name
        assert flags["samesite"] in ("Lax", "Strict"), name
        # The CSRF token is read from the form, not by script, but Django's docs allow it
        # to be readable; every other cookie is out of script's reach.
        assert flags["httponly"] or name == "csrftoken", name
