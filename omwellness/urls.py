from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path

from programs.sitemaps import ProgramSitemap
from programs.views import home

admin.site.site_header = "omwellness administration"
admin.site.site_title = "omwellness admin"


# The 500 page, or the 503 page when the database is out of reach (omwellness.middleware).
handler500 = "omwellness.middleware.server_error"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("", include("programs.urls")),
    path("", include("registrations.urls")),
    path("", include("receipts.urls")),
    path("", include("mailing.urls")),
    path("facilitate/", include("facilitate.urls")),
    path("", include("certificates.urls")),
    path("", include("switching.urls")),
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
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

if settings.BENCHMARK_ROUTES:
    # A page of the program page's size, with no work behind it: the benchmark's floor.
    FIXED_PAGE = "<!doctype html><title>fixed</title>" + "<p>calm</p>" * 1200

    def bench_fixed(request):
        return HttpResponse(FIXED_PAGE)

    urlpatterns.append(path("_bench/fixed/", bench_fixed))
