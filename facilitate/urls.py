"""Addresses of the facilitator portal, in the `facilitate:` namespace.

Every address here is listed in tests/test_authorization.py, which fails when one is
missing.
"""

from django.urls import path

from . import views

app_name = "facilitate"

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("<slug:slug>/", views.roster, name="roster"),
    path("<slug:slug>/roster.csv", views.roster_export, name="export"),
    path("<slug:slug>/sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path("<slug:slug>/attendance/", views.attendance_overview, name="attendance"),
    path(
        "<slug:slug>/attendance/<int:session_pk>/",
        views.attendance_session,
        name="attendance_session",
    ),
    path("<slug:slug>/message/", views.message_participants, name="message"),
    path("<slug:slug>/applications/", views.applications, name="applications"),
    path(
        "<slug:slug>/applications/<str:reference>/approve/",
        views.application_approve,
        name="application_approve",
    ),
    path(
        "<slug:slug>/applications/<str:reference>/call-first/",
        views.application_call_first,
        name="application_call_first",
    ),
    path(
        "<slug:slug>/applications/<str:reference>/decline/",
        views.application_decline,
        name="application_decline",
    ),
]
