"""The languages the site speaks, and the one field that remembers a person's.

A person's language is kept on their account, their registrations, waitlist entries
and news subscriptions; every email to them is written in it (`translation.override`
around the rendering) and Stripe Checkout opens in it."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.urls import Resolver404, resolve
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


# --- Addresses: English at today's paths, other languages under /<code>/ ----------------

HREFLANG = {"en": "en-CA", "fr": "fr-CA"}


def unprefixed(path: str) -> str:
    """`path` without its language prefix: "/fr/programs/x/" -> "/programs/x/"."""
    for code, _name in settings.LANGUAGES:
        if code == DEFAULT:
            continue
        if path == f"/{code}" or path == f"/{code}/":
            return "/"
        if path.startswith(f"/{code}/"):
            return path[len(code) + 1 :]
    return path


def path_in(path: str, code: str) -> str:
    """The same page's path in language `code` (no check that it exists)."""
    bare = unprefixed(path)
    return bare if supported(code) == DEFAULT else f"/{supported(code)}{bare}"


@lru_cache(maxsize=4096)
def has_translations(path: str) -> bool:
    """Whether the page at `path` is one of the participant's, which every language
    has (omwellness.urls: i18n_patterns). Staff pages are English only. Remembered per
    path: resolving walks the whole URLconf, and every page's header asks."""
    french = next(code for code, _name in settings.LANGUAGES if code != DEFAULT)
    with translation.override(french):
        try:
            resolve(path_in(path, french))
        except Resolver404:
            return False
    return True


@dataclass(frozen=True)
class Alternate:
    code: str  # "en", "fr"
    name: str  # the language's own name: "English", "Français"
    hreflang: str  # "en-CA", "fr-CA"
    path: str
    url: str  # absolute, on SITE_URL
    current: bool


def alternates(request: HttpRequest) -> list[Alternate]:
    """The page in every language, for hreflang links and the switch; none for a page
    that exists in English only."""
    if not has_translations(request.path):
        return []
    current = of_request(request)
    return [
        Alternate(
            code=code,
            name=name,
            hreflang=HREFLANG[code],
            path=path_in(request.path, code),
            url=settings.SITE_URL + path_in(request.path, code),
            current=code == current,
        )
        for code, name in settings.LANGUAGES
    ]
