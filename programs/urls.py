from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="list"),
    path("programs/<slug:slug>/", views.program_detail, name="detail"),
    path("programs/<slug:slug>/calendar.ics", views.program_calendar_file, name="calendar"),
]
