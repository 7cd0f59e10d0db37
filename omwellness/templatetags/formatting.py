"""`{% load formatting %}`: the template side of omwellness/formatting.py, one filter per
function, each writing nothing for an empty value."""

from collections.abc import Callable

from django import template

from omwellness import formatting

register = template.Library()


@register.filter
def money(cents: int | None, currency: str = formatting.DEFAULT_CURRENCY) -> str:
    return "" if cents is None else formatting.money(cents, currency)


def _blank_safe(function: Callable) -> Callable:
    def apply(value):
        return "" if value in (None, "") else function(value)

    return apply


for _name in (
    "number",
    "long_date",
    "short_date",
    "day",
    "time_of_day",
    "long_datetime",
    "plain_date",
):
    register.filter(_name, _blank_safe(getattr(formatting, _name)))
