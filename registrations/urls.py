from django.urls import path

from .portal_urls import urlpatterns as portal_urlpatterns
from .views import register, waitlist, webhook

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
]

urlpatterns += portal_urlpatterns
