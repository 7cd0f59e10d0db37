from django.urls import path

from . import views

app_name = "receipts"

urlpatterns = [
    # Under the registration, so an emailed link's token opens it (registrations.access).
    path(
        "registrations/<str:reference>/receipts/<int:number>.pdf",
        views.receipt_download,
        name="download",
    ),
]
