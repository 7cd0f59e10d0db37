"""How the site writes an amount of money: the one place, for every page, email, admin
column and history line.

Amounts are kept in cents (integers). English Canadian style: "$1,234" for whole dollars,
"$12.50" otherwise; another currency (a refused payment taken in US dollars, say) is
written in full with its code, "25.00 USD", so nobody reads it as Canadian dollars.
A French page would write "1 234,50 $": add the separators for that locale here, and
every caller follows.
"""

DEFAULT_CURRENCY = "cad"


def format_money(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """The display text for an amount in cents: 45000 -> "$450", 5050 -> "$50.50"."""
    sign = "−" if cents < 0 else ""
    dollars, remainder = divmod(abs(int(cents)), 100)
    if (currency or DEFAULT_CURRENCY).lower() != DEFAULT_CURRENCY:
        return f"{sign}{dollars:,}.{remainder:02d} {currency.upper()}"
    return f"{sign}${dollars:,}.{remainder:02d}" if remainder else f"{sign}${dollars:,}"


def format_decimal(cents: int) -> str:
    """An amount for a spreadsheet or an accountant's import: 45000 -> "450.00",
    -5050 -> "-50.50" (plain digits, a point, an ASCII minus, no currency sign)."""
    sign = "-" if cents < 0 else ""
    dollars, remainder = divmod(abs(int(cents)), 100)
    return f"{sign}{dollars}.{remainder:02d}"
