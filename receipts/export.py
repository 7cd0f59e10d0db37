"""A period's receipts and credit notes as CSV, for the accountant.

One row per document, in number order. Amounts are plain decimals; a credit note's are
negative, so a column's sum is the period's net sales, tax and total. Text cells go
through the roster export's guard against spreadsheet formulas.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from facilitate.csv_export import spreadsheet_safe
from omwellness.money import format_decimal

from .models import Receipt

HEADER = [
    "Number",
    "Kind",
    "Date",
    "Original receipt",
    "Registration",
    "Buyer",
    "Buyer email",
    "Description",
    "Before tax",
    "Tax",
    "Tax name",
    "Tax rate",
    "Total",
    "Payment method",
    "Business number",
]


def receipts_in_period(*, start: date, end: date) -> QuerySet[Receipt]:
    """Documents dated from `start` to `end`, both included, in Toronto time."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return (
        Receipt.objects.filter(transaction_date__gte=since, transaction_date__lt=until)
        .select_related("original")
        .order_by("number")
    )


def receipts_csv(receipts: QuerySet[Receipt]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for receipt in receipts:
        sign = -1 if receipt.is_credit_note else 1
        text = [
            receipt.get_kind_display(),
            timezone.localdate(receipt.transaction_date).isoformat(),
            receipt.original.label if receipt.original is not None else "",
            receipt.reference,
            receipt.buyer_name,
            receipt.buyer_email,
            receipt.description,
        ]
        writer.writerow(
            [
                receipt.label,
                *(spreadsheet_safe(cell) for cell in text),
                format_decimal(sign * receipt.before_tax_cents),
                format_decimal(sign * receipt.tax_cents),
                spreadsheet_safe(receipt.tax_name),
                spreadsheet_safe(receipt.tax_rate_label),
                format_decimal(sign * receipt.total_cents),
                spreadsheet_safe(receipt.payment_method),
                spreadsheet_safe(receipt.business_number),
            ]
        )
    return buffer.getvalue()
