from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("news/", views.subscribe, name="subscribe"),
    path("news/confirm/", views.confirm, name="confirm"),
    path("news/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
