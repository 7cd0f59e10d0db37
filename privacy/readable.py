"""The data export as a page: the same dict as the JSON, in headings and lists."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

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


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


# The export writes moments as ISO 8601 in Toronto time; a page reads them as words.
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _text(value: str) -> str:
    if ISO_MOMENT.match(value):
        moment = timezone.localtime(datetime.fromisoformat(value))
        hour = moment.strftime("%I:%M %p").lstrip("0").lower()
        return f"{moment:%B} {moment.day}, {moment.year}, {hour} ET"
    return value or "—"


def node(value: Any) -> Node:
    if value is None:
        return Node(text="—")
    if isinstance(value, bool):
        return Node(text="Yes" if value else "No")
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
        Section(key=key, heading=heading, node=node(data.get(key)))
        for key, heading, _collector in SECTIONS
    ]
