from django.urls import path

from .views import account, register, waitlist, webhook

app_name = "registrations"

urlpatterns = [
    path("programs/<slug:slug>/register/", register.register, name="register"),
    path("programs/<slug:slug>/waitlist/", waitlist.waitlist_join, name="waitlist_join"),
    path("waitlist/<str:token>/", waitlist.waitlist_entry, name="waitlist_entry"),
    path("waitlist/<str:token>/accept/", waitlist.waitlist_accept, name="waitlist_accept"),
    path("registrations/<str:reference>/pay/", register.pay, name="pay"),
    path("registrations/<str:reference>/paid/", register.paid, name="paid"),
    path(
        "registrations/<str:reference>/checkout-cancelled/",
        register.checkout_cancelled,
        name="checkout_cancelled",
    ),
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe_webhook"),
    # "My registrations": every address here that shows a registration is listed in
    # tests/test_authorization.py, which fails when one is missing.
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
