"""Addresses of certificates, in the `certificates:` namespace. The facilitator page
and the download sit under the portal's and "My registrations"' addresses, so
tests/test_authorization.py checks them with the others."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/<str:code>/", views.verify, name="verify"),
    path("facilitate/<slug:slug>/certificates/", views.completion, name="completion"),
    path(
        "registrations/<str:reference>/certificate.pdf",
        views.download,
        name="download",
    ),
]
