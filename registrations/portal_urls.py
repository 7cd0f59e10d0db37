"""Addresses of "My registrations" and the facilitator portal.

Included by registrations/urls.py, so the names live in the `registrations:`
namespace. Every address here that shows a registration, roster, attendance, export
or receipt is listed in tests/test_authorization.py, which fails when one is missing.
"""

from django.urls import path

from .views import account, facilitate

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
    path("facilitate/", facilitate.program_list, name="facilitate"),
    path("facilitate/<slug:slug>/", facilitate.roster, name="facilitate_roster"),
    path(
        "facilitate/<slug:slug>/roster.csv",
        facilitate.roster_export,
        name="facilitate_export",
    ),
    path(
        "facilitate/<slug:slug>/sign-in-sheet/",
        facilitate.sign_in_sheet,
        name="facilitate_sign_in_sheet",
    ),
    path(
        "facilitate/<slug:slug>/attendance/",
        facilitate.attendance_overview,
        name="facilitate_attendance",
    ),
    path(
        "facilitate/<slug:slug>/attendance/<int:session_pk>/",
        facilitate.attendance_session,
        name="facilitate_attendance_session",
    ),
    path(
        "facilitate/<slug:slug>/message/",
        facilitate.message_participants,
        name="facilitate_message",
    ),
]
