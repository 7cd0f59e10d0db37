from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/my-data.json", views.my_data_json, name="my_data_json"),
    path("privacy/delete/", views.deletion, name="deletion"),
]
