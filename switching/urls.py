from django.urls import path

from . import views

app_name = "switching"

urlpatterns = [
    path("registrations/<str:reference>/switch/", views.switch, name="switch"),
]
