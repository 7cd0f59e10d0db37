"""The staff dashboard at /admin/dashboard/ (linked from the admin index): how
registrations are going for every upcoming program. Staff who may view registrations
only (README "Staff rights")."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from registrations.dashboard import dashboard


def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("registrations.view_registration"):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "admin/dashboard.html",
        {
            **admin.site.each_context(request),
            "title": "Registrations dashboard",
            "dashboard": dashboard(),
        },
    )


urlpatterns = [path("", admin.site.admin_view(dashboard_view), name="admin_dashboard")]
