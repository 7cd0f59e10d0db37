from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import languages as site_languages


def site(request):
    return {"SITE_URL": settings.SITE_URL, "SITE_NAME": "omwellness"}


def languages(request: HttpRequest) -> dict:
    """The page in every language (hreflang links and the header's switch), worked out
    only when a template asks."""
    return {
        "language_alternates": SimpleLazyObject(lambda: site_languages.alternates(request)),
    }
