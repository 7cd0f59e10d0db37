from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path

from programs.sitemaps import ProgramSitemap
from programs.views import home

from .language_views import first_visit_language, language_switch

admin.site.site_header = "omwellness administration"
admin.site.site_title = "omwellness admin"


# The 500 page, or the 503 page when the database is out of reach (omwellness.middleware).
handler500 = "omwellness.middleware.server_error"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# Staff pages, machines' addresses and the language switch itself: one address each.
urlpatterns = [
    path("language/", language_switch, name="language_switch"),
    path("facilitate/", include("facilitate.urls")),
    path("admin/dashboard/", include("registrations.admin.dashboard")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"programs": ProgramSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("healthz/", healthz),
]

# The participant's pages: English at today's addresses, French under /fr/ with the same
# paths (omwellness/language_views.py explains how the language is chosen). Stripe's
# webhook (registrations.urls) keeps its unprefixed address, /stripe/webhook/.
urlpatterns += i18n_patterns(
    path("", first_visit_language(home), name="home"),
    path("", include("programs.urls")),
    path("", include("registrations.urls")),
    path("", include("receipts.urls")),
    path("", include("mailing.urls")),
    path("", include("certificates.urls")),
    path("", include("switching.urls")),
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)
