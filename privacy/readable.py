"""The data export as a page: the same dict as the JSON, in headings and lists."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext, pgettext_lazy

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
# language. A key missing here reads as itself, capitalized. The context keeps these
# field names apart from the same English words elsewhere ("Cancelled" as a status).
LABELS = {
    "agreement_accepted": pgettext_lazy("data field", "Agreement accepted"),
    "amount": pgettext_lazy("data field", "Amount"),
    "amount_due": pgettext_lazy("data field", "Amount due"),
    "answer": pgettext_lazy("data field", "Answer"),
    "answers": pgettext_lazy("data field", "Answers"),
    "asked": pgettext_lazy("data field", "Asked"),
    "at": pgettext_lazy("data field", "At"),
    "attendance": pgettext_lazy("data field", "Attendance"),
    "before_tax": pgettext_lazy("data field", "Before tax"),
    "buyer": pgettext_lazy("data field", "Buyer"),
    "cancelled": pgettext_lazy("data field", "Cancelled"),
    "code": pgettext_lazy("data field", "Code"),
    "completed": pgettext_lazy("data field", "Completed"),
    "confirmed": pgettext_lazy("data field", "Confirmed"),
    "date": pgettext_lazy("data field", "Date"),
    "description": pgettext_lazy("data field", "Description"),
    "due": pgettext_lazy("data field", "Due"),
    "email": pgettext_lazy("data field", "Email"),
    "erased": pgettext_lazy("data field", "Erased"),
    "given": pgettext_lazy("data field", "Given"),
    "health_related": pgettext_lazy("data field", "Health related"),
    "issued": pgettext_lazy("data field", "Issued"),
    "joined": pgettext_lazy("data field", "Joined"),
    "kind": pgettext_lazy("data field", "Kind"),
    "last_sign_in": pgettext_lazy("data field", "Last sign in"),
    "name": pgettext_lazy("data field", "Name"),
    "number": pgettext_lazy("data field", "Number"),
    "offered": pgettext_lazy("data field", "Offered"),
    "paid": pgettext_lazy("data field", "Paid"),
    "payment_method": pgettext_lazy("data field", "Payment method"),
    "payments": pgettext_lazy("data field", "Payments"),
    "personal_data_erased": pgettext_lazy("data field", "Personal data erased"),
    "phone": pgettext_lazy("data field", "Phone"),
    "present": pgettext_lazy("data field", "Present"),
    "price": pgettext_lazy("data field", "Price"),
    "program": pgettext_lazy("data field", "Program"),
    "question": pgettext_lazy("data field", "Question"),
    "reason": pgettext_lazy("data field", "Reason"),
    "reference": pgettext_lazy("data field", "Reference"),
    "refunded": pgettext_lazy("data field", "Refunded"),
    "refunds": pgettext_lazy("data field", "Refunds"),
    "registered": pgettext_lazy("data field", "Registered"),
    "revoked": pgettext_lazy("data field", "Revoked"),
    "sent": pgettext_lazy("data field", "Sent"),
    "session": pgettext_lazy("data field", "Session"),
    "source": pgettext_lazy("data field", "Source"),
    "started": pgettext_lazy("data field", "Started"),
    "status": pgettext_lazy("data field", "Status"),
    "subject": pgettext_lazy("data field", "Subject"),
    "tax": pgettext_lazy("data field", "Tax"),
    "text": pgettext_lazy("data field", "Text"),
    "title": pgettext_lazy("data field", "Title"),
    "to": pgettext_lazy("data field", "To"),
    "total": pgettext_lazy("data field", "Total"),
    "verified_addresses": pgettext_lazy("data field", "Verified addresses"),
    "version": pgettext_lazy("data field", "Version"),
    "when": pgettext_lazy("data field", "When"),
    "withdrawn": pgettext_lazy("data field", "Withdrawn"),
    "wording": pgettext_lazy("data field", "Wording"),
    "written": pgettext_lazy("data field", "Written"),
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
