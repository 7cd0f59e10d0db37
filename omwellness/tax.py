"""Sales tax: the one rule for what a price comes to before tax, in tax and in all.

Every page, the registration form, Stripe Checkout, emails and receipts call
`tax_breakdown` (or `price_text`, which words its result); nothing else multiplies by a
rate. The settings come from the centre's business details (`omwellness.models.Centre`,
edited in the admin) through `TaxSettings.of(centre)`.

Two ways of stating a price, one setting (`Centre.prices_include_tax`):

- tax added: the price shown is before tax; the tax is added on top ("$450 + HST");
- tax included: the price shown is what the person pays; the tax is the part of it the
  rate accounts for ("$508.50 (HST included)").

Amounts are integer cents. The tax is rounded once, half up, to the cent, and the three
figures always add up: before tax + tax == total. A centre not registered for the tax,
or a program whose fee is not taxable, charges none.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop, pgettext

from omwellness import formatting
from omwellness.models import Centre
from omwellness.money import format_money

# The usual names of Canadian sales taxes, so that a reader in French sees "TVH" for "HST".
TAX_NAMES = (
    gettext_noop("HST"),
    gettext_noop("GST"),
    gettext_noop("PST"),
    gettext_noop("QST"),
    gettext_noop("tax"),
)


def tax_name_shown(name: str) -> str:
    """A tax's name in the reader's language: "HST" -> "TVH"; any other name as entered
    (a receipt keeps the name as the centre entered it)."""
    return gettext(name) if name in TAX_NAMES else name


# Rates are kept to three decimals (Centre.tax_rate_percent): 13.000 % is 13000 of these.
_RATE_SCALE = 1000
_PERCENT = 100 * _RATE_SCALE


@dataclass(frozen=True)
class TaxSettings:
    registered: bool
    rate_percent: Decimal
    name: str
    prices_include_tax: bool

    @classmethod
    def of(cls, centre: Centre) -> "TaxSettings":
        """The tax settings of a `Centre` row (read it with `Centre.current()`)."""
        return cls(
            registered=centre.hst_registered,
            rate_percent=Decimal(centre.tax_rate_percent),
            name=centre.tax_name or "tax",
            prices_include_tax=centre.prices_include_tax,
        )

    @classmethod
    def current(cls) -> "TaxSettings":
        """The centre's settings now: one read, and no write on a page view (a centre
        not yet saved in the admin has the model's defaults: not registered)."""
        return cls.of(Centre.current())

    def charges_tax(self, *, taxable: bool) -> bool:
        return self.registered and taxable and self.rate_percent > 0

    @property
    def rate_label(self) -> str:
        """'13%', '14.975%': the rate as a receipt prints it."""
        text = format(self.rate_percent.normalize(), "f")
        return f"{text}%"

    @property
    def display_name(self) -> str:
        """The tax's name in the reader's language ("HST" / "TVH"); another name as set."""
        return tax_name_shown(self.name)

    @property
    def display_rate(self) -> str:
        """'13%' / '13 %': the rate in the reader's language."""
        if not formatting.is_french():
            return self.rate_label
        return f"{formatting.number(float(self.rate_percent.normalize()))}\u00a0%"


NO_TAX = TaxSettings(
    registered=False, rate_percent=Decimal(0), name="HST", prices_include_tax=False
)


@dataclass(frozen=True)
class TaxBreakdown:
    before_tax_cents: int
    tax_cents: int
    total_cents: int
    # Whether tax applies at all (registered, taxable program, a rate above zero).
    taxed: bool
    tax_name: str
    rate_label: str


def _rate_units(rate_percent: Decimal) -> int:
    return int((rate_percent * _RATE_SCALE).to_integral_value())


def _divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves up (both >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def tax_breakdown(amount_cents: int, *, taxable: bool, settings: TaxSettings) -> TaxBreakdown:
    """What a price of `amount_cents` (as shown: before tax, or with tax included,
    per the settings) comes to: before tax, tax and total, in cents."""
    amount_cents = int(amount_cents)
    if amount_cents < 0:
        raise ValueError("A price cannot be negative.")
    if not settings.charges_tax(taxable=taxable):
        return TaxBreakdown(
            before_tax_cents=amount_cents,
            tax_cents=0,
            total_cents=amount_cents,
            taxed=False,
            tax_name=settings.name,
            rate_label="",
        )
    rate = _rate_units(settings.rate_percent)
    if settings.prices_include_tax:
        total = amount_cents
        before = _divide_half_up(total * _PERCENT, _PERCENT + rate)
        tax = total - before
    else:
        before = amount_cents
        tax = _divide_half_up(before * rate, _PERCENT)
        total = before + tax
    return TaxBreakdown(
        before_tax_cents=before,
        tax_cents=tax,
        total_cents=total,
        taxed=True,
        tax_name=settings.name,
        rate_label=settings.rate_label,
    )


def price_text(amount_cents: int, *, taxable: bool, settings: TaxSettings) -> str:
    """A price as Canadians expect to read it: '$450 + HST', '$508.50 (HST included)',
    or '$450' when no tax applies."""
    breakdown = tax_breakdown(amount_cents, taxable=taxable, settings=settings)
    if not breakdown.taxed or amount_cents == 0:
        return format_money(amount_cents)
    if settings.prices_include_tax:
        return pgettext("price", "%(amount)s (%(tax)s included)") % {
            "amount": format_money(breakdown.total_cents),
            "tax": settings.display_name,
        }
    return f"{format_money(breakdown.before_tax_cents)} + {settings.display_name}"


def tax_within(part_cents: int, *, total_cents: int, tax_cents: int) -> int:
    """The tax in `part_cents` of a sale that charged `tax_cents` in `total_cents`: its
    share, rounded half up. For a refund, call it with everything refunded so far and
    subtract what earlier refunds took back; the parts then add up to the sale's tax
    exactly once all of it is refunded."""
    if total_cents <= 0 or tax_cents <= 0 or part_cents <= 0:
        return 0
    part_cents = min(part_cents, total_cents)
    return _divide_half_up(part_cents * tax_cents, total_cents)
