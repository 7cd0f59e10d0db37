"""How the site writes money, dates, times and numbers in the reader's language.

The one formatting layer: every page, email, calendar file and PDF goes through these
functions (or the template filters of the same names in `{% load formatting %}`), never
through f-strings or strftime. They follow the active language (Django's
`translation.get_language()`, set per request and per email by `translation.override`)
and write what CLDR, through babel, says a reader of that language expects:

    English (Canada):  $1,234.50   Wednesday, January 6, 2027   7:00 pm
    French (Canada):   1 234,50 $  mercredi 6 janvier 2027       19 h 00

English keeps the site's short form for whole dollars ("$450"); French always shows
the cents ("450,00 $"), as French Canadian price tags do. Times are local to Toronto.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

DEFAULT_CURRENCY = "cad"
ENGLISH, FRENCH = "en_CA", "fr_CA"


def current_locale() -> str:
    """The babel locale of the active language: fr_CA for French, en_CA otherwise."""
    language = (translation.get_language() or "en").lower()
    return FRENCH if language.startswith("fr") else ENGLISH


# Pages list hundreds of amounts and dates (a roster, an export): the locales and
# patterns are parsed once per process, not on every call as babel's format_* do.
@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@cache
def _number_pattern(pattern: str) -> babel_numbers.NumberPattern:
    return babel_numbers.parse_pattern(pattern)


@cache
def _date_pattern(pattern: str) -> babel_dates.DateTimePattern:
    return babel_dates.parse_pattern(pattern)


def _format_date(moment: date, pattern: str) -> str:
    """`pattern` is a CLDR pattern, or a length ("full", "medium") of the locale's own."""
    locale = _locale(current_locale())
    if pattern in ("full", "long", "medium", "short"):
        pattern = locale.date_formats[pattern].pattern
    return _date_pattern(pattern).apply(moment, locale)


def is_french() -> bool:
    return current_locale() == FRENCH


def money(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in cents: 45000 -> "$450" / "450,00 $"; 5050 -> "$50.50" / "50,50 $".

    Another currency than the Canadian dollar is written with its code ("25.00 USD",
    "25,00 USD"), so nobody reads it as Canadian dollars."""
    currency = (currency or DEFAULT_CURRENCY).upper()
    amount = Decimal(int(cents)) / 100
    locale = current_locale()
    if currency != DEFAULT_CURRENCY.upper():
        pattern = "#,##0.00\u00a0¤¤" if locale == FRENCH else "#,##0.00 ¤¤"
    elif locale == FRENCH:
        pattern = _locale(FRENCH).currency_formats["standard"].pattern
    else:
        pattern = "¤#,##0" if int(cents) % 100 == 0 else "¤#,##0.00"
    text = _number_pattern(pattern).apply(
        amount, _locale(locale), currency=currency, currency_digits=False
    )
    # A true minus sign, in either language.
    return text.replace("-", "\u2212")


def number(value: int | float) -> str:
    """1234 -> "1,234" / "1 234"."""
    locale = _locale(current_locale())
    return _number_pattern(locale.decimal_formats[None].pattern).apply(value, locale)


def _local(moment: datetime | date) -> datetime | date:
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def long_date(moment: datetime | date) -> str:
    """ "Wednesday, January 6, 2027" / "mercredi 6 janvier 2027"."""
    return _format_date(_local(moment), "full")


def short_date(moment: datetime | date) -> str:
    """ "Jan 6, 2027" / "6 janv. 2027"."""
    return _format_date(_local(moment), "medium")


def day(moment: datetime | date) -> str:
    """ "Wed, Jan 6, 2027" / "mer. 6 janv. 2027"."""
    pattern = "EEE d MMM y" if is_french() else "EEE, MMM d, y"
    return _format_date(_local(moment), pattern)


def time_of_day(moment: datetime, *, with_meridiem: bool = True) -> str:
    """ "7:00 pm" / "19 h 00". `with_meridiem=False` leaves out "am"/"pm" (English only),
    for the first half of a range within one half of the day: "7:00–9:30 pm"."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if is_french():
        return _date_pattern("H'\u00a0h\u00a0'mm").apply(local, _locale(FRENCH))
    hour = local.hour % 12 or 12
    text = f"{hour}:{local.minute:02d}"
    if with_meridiem:
        text += " am" if local.hour < 12 else " pm"
    return text


def long_datetime(moment: datetime) -> str:
    """ "Wednesday, January 6, 2027, 7:00 pm" / "mercredi 6 janvier 2027 à 19 h 00"."""
    joiner = " à " if is_french() else ", "
    return f"{long_date(moment)}{joiner}{time_of_day(moment)}"
