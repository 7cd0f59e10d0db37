"""Addresses of "My registrations" and the facilitator portal."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
