"""The roster as CSV, safe to open in a spreadsheet.

A cell that begins with = + - @ tab or carriage return is read as a formula by
Excel, LibreOffice and Google Sheets; a participant could type one into their name
or an answer (OWASP "CSV injection"). Such cells are prefixed with a single quote,
which spreadsheets show as text.

Intake answers are left out unless asked for, and sensitive ones (health) need a
second, explicit choice: an exported file travels further than the roster page.
"""

import csv
import io

from django.utils import timezone

from .portal_selectors import Roster

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


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
    for registration in roster.registrations:
        registered = timezone.localtime(registration.created_at)
        row = [
            registration.reference,
            registration.name,
            registration.email,
            registration.phone,
            registration.price_label,
            registration.get_status_display(),
            registration.payment_status,
            registered.strftime("%Y-%m-%d %H:%M"),
            registration.present_count,
        ]
        for question in questions:
            answer = registration.answers_by_question.get(question.pk)
            row.append(answer.value if answer else "")
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()
