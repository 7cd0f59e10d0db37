"""The data export as a page: the same dict as the JSON, in headings and lists."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omwellness.formatting import long_datetime

from .export import SECTIONS


@dataclass(frozen=True)
class Node:
    """A value to show: text, or labelled fields, or a list of records (each fields)."""

    text: str = ""
    fields: tuple[tuple[str, "Node"], ...] = ()
    records: tuple["Node", ...] = ()
    is_list: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    node: Node


# The export's keys stay English (the file is data); the page names them in the reader's
# language. A key missing here reads as itself, capitalized.
LABELS = {
    "agreement_accepted": _("Agreement accepted"),
    "amount": _("Amount"),
    "amount_due": _("Amount due"),
    "answer": _("Answer"),
    "answers": _("Answers"),
    "asked": _("Asked"),
    "at": _("At"),
    "attendance": _("Attendance"),
    "before_tax": _("Before tax"),
    "buyer": _("Buyer"),
    "cancelled": _("Cancelled"),
    "code": _("Code"),
    "completed": _("Completed"),
    "confirmed": _("Confirmed"),
    "date": _("Date"),
    "description": _("Description"),
    "due": _("Due"),
    "email": _("Email"),
    "erased": _("Erased"),
    "given": _("Given"),
    "health_related": _("Health related"),
    "issued": _("Issued"),
    "joined": _("Joined"),
    "kind": _("Kind"),
    "last_sign_in": _("Last sign in"),
    "name": _("Name"),
    "number": _("Number"),
    "offered": _("Offered"),
    "paid": _("Paid"),
    "payment_method": _("Payment method"),
    "payments": _("Payments"),
    "personal_data_erased": _("Personal data erased"),
    "phone": _("Phone"),
    "present": _("Present"),
    "price": _("Price"),
    "program": _("Program"),
    "question": _("Question"),
    "reason": _("Reason"),
    "reference": _("Reference"),
    "refunded": _("Refunded"),
    "refunds": _("Refunds"),
    "registered": _("Registered"),
    "revoked": _("Revoked"),
    "sent": _("Sent"),
    "session": _("Session"),
    "source": _("Source"),
    "started": _("Started"),
    "status": _("Status"),
    "subject": _("Subject"),
    "tax": _("Tax"),
    "text": _("Text"),
    "title": _("Title"),
    "to": _("To"),
    "total": _("Total"),
    "verified_addresses": _("Verified addresses"),
    "version": _("Version"),
    "when": _("When"),
    "withdrawn": _("Withdrawn"),
    "wording": _("Wording"),
    "written": _("Written"),
}


def _label(key: str) -> str:
    label = LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


# The export writes moments as ISO 8601 in Toronto time; a page reads them as words.
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _text(value: str) -> str:
    if ISO_MOMENT.match(value):
        moment = datetime.fromisoformat(value)
        return gettext("%(when)s ET") % {"when": long_datetime(moment)}
    return value or "—"


def node(value: Any) -> Node:
    if value is None:
        return Node(text="—")
    if isinstance(value, bool):
        return Node(text=gettext("Yes") if value else gettext("No"))
    if isinstance(value, dict):
        if "shown" in value:  # money: {"cents", "currency", "shown"}
            return Node(text=str(value["shown"]))
        return Node(fields=tuple((_label(k), node(v)) for k, v in value.items()))
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            return Node(records=tuple(node(item) for item in value), is_list=True)
        return Node(text=", ".join(str(item) for item in value) or "—")
    return Node(text=_text(str(value)))


def sections(data: dict) -> list[Section]:
    return [
        Section(key=key, heading=str(heading), node=node(data.get(key)))
        for key, heading, _collector in SECTIONS
    ]
