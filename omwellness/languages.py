"""The languages the site speaks, and the one field that remembers a person's.

A person's language is kept on their account, their registrations, waitlist entries
and news subscriptions; every email to them is written in it (`translation.override`
around the rendering) and Stripe Checkout opens in it."""

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

DEFAULT = "en"


def language_field() -> models.CharField:
    return models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=DEFAULT,
        help_text=_("The language of the pages and emails this person gets."),
    )


def supported(code: str | None) -> str:
    """`code` cut to one of settings.LANGUAGES ("fr-ca" -> "fr"), or English."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in dict(settings.LANGUAGES) else DEFAULT


def of_request(request: HttpRequest) -> str:
    """The language the person is reading the site in."""
    return supported(getattr(request, "LANGUAGE_CODE", None) or translation.get_language())
