from django.urls import path  # noqa: F401

from .portal_urls import urlpatterns as portal_urlpatterns

app_name = "registrations"

urlpatterns: list = []

urlpatterns += portal_urlpatterns
