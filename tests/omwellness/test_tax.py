"""The tax rule (omwellness.tax): rounded once, half up, and the figures always add up."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omwellness.models import Centre
from omwellness.tax import NO_TAX, TaxSettings, price_text, tax_breakdown, tax_within

HST_ADDED = TaxSettings(
    registered=True, rate_percent=Decimal("13"), name="HST", prices_include_tax=False
)
HST_INCLUDED = TaxSettings(
    registered=True, rate_percent=Decimal("13"), name="HST", prices_include_tax=True
)

rates = st.decimals(min_value=Decimal(0), max_value=Decimal("99.999"), places=3)
amounts = st.integers(min_value=0, max_value=10_000_000)


def test_tax_added_to_a_price_of_450():
    breakdown = tax_breakdown(45000, taxable=True, settings=HST_ADDED)
    assert (breakdown.before_tax_cents, breakdown.tax_cents, breakdown.total_cents) == (
        45000,
        5850,
        50850,
    )
    assert breakdown.rate_label == "13%"


def test_tax_included_in_a_price_of_508_50():
    breakdown = tax_breakdown(50850, taxable=True, settings=HST_INCLUDED)
    assert (breakdown.before_tax_cents, breakdown.tax_cents, breakdown.total_cents) == (
        45000,
        5850,
        50850,
    )


def test_tax_rounds_half_up_once():
    # 13% of $0.50 is 6.5 cents: half a cent rounds up, to 7.
    assert tax_breakdown(50, taxable=True, settings=HST_ADDED).tax_cents == 7
    # 13% of $0.49 is 6.37 cents: 6.
    assert tax_breakdown(49, taxable=True, settings=HST_ADDED).tax_cents == 6


def test_no_tax_when_unregistered_or_the_program_is_not_taxable():
    assert tax_breakdown(45000, taxable=True, settings=NO_TAX).tax_cents == 0
    untaxed = tax_breakdown(45000, taxable=False, settings=HST_ADDED)
    assert (untaxed.tax_cents, untaxed.total_cents, untaxed.taxed) == (0, 45000, False)


def test_tax_price_text_the_canadian_way():
    assert price_text(45000, taxable=True, settings=HST_ADDED) == "$450 + HST"
    assert price_text(50850, taxable=True, settings=HST_INCLUDED) == "$508.50 (HST included)"
    assert price_text(45000, taxable=False, settings=HST_ADDED) == "$450"
    assert price_text(45000, taxable=True, settings=NO_TAX) == "$450"
    assert price_text(0, taxable=True, settings=HST_ADDED) == "$0"


@pytest.mark.django_db
def test_tax_settings_come_from_the_centre_and_default_to_none():
    centre = Centre.current()
    assert TaxSettings.of(centre).charges_tax(taxable=True) is False
    centre.hst_registered = True
    centre.tax_rate_percent = Decimal("14.975")
    centre.save()
    settings = TaxSettings.of(Centre.current())
    assert settings.charges_tax(taxable=True) and settings.rate_label == "14.975%"


@given(amount=amounts, rate=rates, included=st.booleans(), taxable=st.booleans())
def test_tax_property_before_tax_plus_tax_is_the_total(amount, rate, included, taxable):
    settings = TaxSettings(
        registered=True, rate_percent=rate, name="HST", prices_include_tax=included
    )
    breakdown = tax_breakdown(amount, taxable=taxable, settings=settings)
    assert breakdown.before_tax_cents + breakdown.tax_cents == breakdown.total_cents
    assert min(breakdown.before_tax_cents, breakdown.tax_cents) >= 0
    # The price shown is the one figure the setting says it is.
    shown = breakdown.total_cents if included else breakdown.before_tax_cents
    assert shown == amount


@given(amount=amounts, rate=rates)
def test_tax_property_is_the_nearest_cent_to_the_exact_tax(amount, rate):
    added = tax_breakdown(
        amount, taxable=True, settings=TaxSettings(True, rate, "HST", prices_include_tax=False)
    )
    exact = Decimal(amount) * rate / 100
    assert abs(Decimal(added.tax_cents) - exact) <= Decimal("0.5")
    included = tax_breakdown(
        amount, taxable=True, settings=TaxSettings(True, rate, "HST", prices_include_tax=True)
    )
    exact_before = Decimal(amount) * 100 / (100 + rate)
    assert abs(Decimal(included.before_tax_cents) - exact_before) <= Decimal("0.5")


@given(
    total=st.integers(min_value=1, max_value=1_000_000),
    rate=rates,
    cuts=st.lists(st.integers(min_value=1, max_value=1_000_000), max_size=6),
)
def test_tax_property_refund_shares_add_up_to_the_tax_of_the_sale(total, rate, cuts):
    sale = tax_breakdown(total, taxable=True, settings=TaxSettings(True, rate, "HST", False))
    refunded, credited, parts = 0, 0, []
    for cut in [*cuts, sale.total_cents]:  # the last refund gives back whatever is left
        part = min(cut, sale.total_cents - refunded)
        if part <= 0:
            break
        share = (
            tax_within(refunded + part, total_cents=sale.total_cents, tax_cents=sale.tax_cents)
            - credited
        )
        assert 0 <= share <= part
        parts.append(share)
        refunded += part
        credited += share
    assert refunded == sale.total_cents
    assert sum(parts) == sale.tax_cents
