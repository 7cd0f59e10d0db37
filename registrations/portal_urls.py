"""Addresses of "My registrations" (the facilitator portal's are in facilitate/urls.py).

Included by registrations/urls.py, so the names live in the `registrations:`
namespace. Every address here that shows a registration or receipt is listed in
tests/test_authorization.py, which fails when one is missing.
"""

from django.urls import path

from .views import account

urlpatterns = [
    path("registrations/", account.registration_list, name="list"),
    path(
        "registrations/waitlist/<int:pk>/leave/",
        account.waitlist_leave,
        name="waitlist_leave",
    ),
    path(
        "registrations/<str:reference>/",
        account.registration_detail,
        name="detail",
    ),
    path(
        "registrations/<str:reference>/receipt/",
        account.registration_receipt,
        name="receipt",
    ),
    path(
        "registrations/<str:reference>/calendar.ics",
        account.registration_calendar,
        name="calendar",
    ),
    path(
        "registrations/<str:reference>/cancel/",
        account.registration_cancel,
        name="cancel",
    ),
    path(
        "registrations/<str:reference>/answers/",
        account.registration_answers,
        name="answers",
    ),
]
