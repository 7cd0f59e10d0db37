"""The roster as CSV, safe to open in a spreadsheet.

A cell that begins with = @ tab or carriage return is read as a formula by Excel,
LibreOffice and Google Sheets; a participant could type one into their name or an
answer (OWASP "CSV injection"). Such cells are prefixed with a single quote, which
spreadsheets show as text. A leading + or - starts a formula too, but a phone number
("+1 416-555-0100") or a plain number ("-12.50") can call no function and reach no
other cell, so those come out as typed: the quote would show in most spreadsheets.

Intake answers are left out unless asked for, and sensitive ones (health) need a
second, explicit choice: an exported file travels further than the roster page.

Every CSV the site hands out (this roster, the accountant's receipts) goes through
`csv_response`: UTF-8 with a byte order mark, without which Excel reads the file as
Windows-1252 and shows "HÃ©lÃ¨ne" for a French name or answer.
"""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone

from .roster import Roster

FORMULA_TRIGGERS = ("=", "@", "\t", "\r")
SIGNS = ("+", "-")
# What may follow a leading sign and stay a number or a phone number: digits with
# spaces, dots, commas, dashes and brackets; no letters, operators or references.
NUMBER_OR_PHONE = re.compile(r"[0-9 ().,-]*[0-9][0-9 ().,-]*")


# U+FEFF at the start of a UTF-8 file: how Excel knows the file is UTF-8.
EXCEL_BOM = "\ufeff"


def csv_response(content: str, *, filename: str) -> HttpResponse:
    """A CSV download: UTF-8 with a byte order mark, never kept by a shared cache."""
    response = HttpResponse(EXCEL_BOM + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def starts_a_formula(text: str) -> bool:
    if text.startswith(FORMULA_TRIGGERS):
        return True
    return text.startswith(SIGNS) and not NUMBER_OR_PHONE.fullmatch(text[1:])


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if starts_a_formula(text) else text


def roster_csv(*, roster: Roster, include_answers: bool, include_sensitive: bool) -> str:
    questions = [
        question
        for question in roster.questions
        if include_answers and (include_sensitive or not question.sensitive)
    ]
    header = [
        "Reference",
        "Name",
        "Email",
        "Phone",
        "Price option",
        "Status",
        "Payment",
        "Registered at (ET)",
        "Sessions attended",
    ] + [question.text for question in questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in roster.rows:
        registered = timezone.localtime(row.created_at)
        cells = [
            row.reference,
            row.name,
            row.email,
            row.phone,
            row.price_label,
            row.status_label,
            row.payment_status,
            registered.strftime("%Y-%m-%d %H:%M"),
            row.present_count,
        ]
        cells.extend(row.answer_to(question) for question in questions)
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue()
