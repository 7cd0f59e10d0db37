"""How the site writes an amount of money: the one place, for every page, email, admin
column and history line.

Amounts are kept in cents (integers). English Canadian style: "$1,234" for whole dollars,
"$12.50" otherwise; another currency (a refused payment taken in US dollars, say) is
written in full with its code, "25.00 USD", so nobody reads it as Canadian dollars.
A French page writes "1 234,50 $": omwellness/formatting.py, the locale-aware layer,
does the writing for both languages.
"""

from omwellness import formatting

DEFAULT_CURRENCY = formatting.DEFAULT_CURRENCY


def format_money(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """The display text for an amount in cents, in the active language:
    45000 -> "$450" / "450,00 $" (omwellness/formatting.py writes it)."""
    return formatting.money(cents, currency)


def format_decimal(cents: int) -> str:
    """An amount for a spreadsheet or an accountant's import: 45000 -> "450.00",
    -5050 -> "-50.50" (plain digits, a point, an ASCII minus, no currency sign)."""
    sign = "-" if cents < 0 else ""
    dollars, remainder = divmod(abs(int(cents)), 100)
    return f"{sign}{dollars}.{remainder:02d}"
