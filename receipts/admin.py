"""Receipts in the admin: to look at and download, never to edit; and a period's
receipts as CSV for the accountant. Both need `receipts.view_receipt`."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from facilitate.csv_export import csv_response
from omwellness.money import format_money

from .export import receipts_csv, receipts_in_period
from .models import Receipt
from .views import pdf_response


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (included)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end of the period comes before its start.")
        return cleaned


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    # Few columns: the change list must fit a laptop's screen without scrolling sideways.
    list_display = ["label", "kind", "day", "buyer_name", "total", "pdf_link"]
    list_filter = ["kind"]
    search_fields = ["=number", "reference", "buyer_name", "buyer_email"]
    date_hierarchy = "transaction_date"
    list_select_related = ["original"]

    @admin.display(description="Number", ordering="number")
    def label(self, receipt: Receipt) -> str:
        return receipt.label

    @admin.display(description="Total", ordering="total_cents")
    def total(self, receipt: Receipt) -> str:
        sign = "−" if receipt.is_credit_note else ""
        return sign + format_money(receipt.total_cents)

    @admin.display(description="Date", ordering="transaction_date")
    def day(self, receipt: Receipt) -> str:
        return f"{timezone.localdate(receipt.transaction_date):%Y-%m-%d}"

    @admin.display(description="PDF")
    def pdf_link(self, receipt: Receipt) -> str:
        url = reverse("admin:receipts_receipt_pdf", args=[receipt.pk])
        return format_html('<a href="{}" download>{}</a>', url, receipt.filename)

    def get_readonly_fields(self, request, obj=None):
        return [*(f.name for f in self.model._meta.fields), "pdf_link"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="receipts_receipt_pdf",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="receipts_receipt_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:receipts_receipt_export"),
        }
        return super().changelist_view(request, extra_context)

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        receipt = get_object_or_404(Receipt.objects.select_related("original"), pk=pk)
        return pdf_response(receipt, download=True)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """GET with no period shows the form; with a valid one, answers the CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET if "start" in request.GET else None)
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            content = receipts_csv(receipts_in_period(start=start, end=end))
            return csv_response(
                content, filename=f"receipts-{start.isoformat()}-to-{end.isoformat()}.csv"
            )
        if not form.is_bound:
            today = timezone.localdate()
            form = PeriodForm(initial={"start": today.replace(day=1), "end": today})
        return TemplateResponse(
            request,
            "admin/receipts/export.html",
            {
                **self.admin_site.each_context(request),
                "title": "Export receipts for a period",
                "form": form,
                "opts": self.model._meta,
            },
        )
