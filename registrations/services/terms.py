"""The terms of a hold: how long it lasts and what it costs (DESIGN rule 2)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from omwellness.tax import TaxBreakdown, TaxSettings, tax_breakdown
from programs.models import PriceOption, Program
from registrations.models import DiscountCode

from .errors import DiscountCodeInvalid

# Stripe accepts a Checkout expiry at least 30 minutes ahead; a minute more leaves
# room for the request itself.
HOLD = timedelta(minutes=settings.CHECKOUT_HOLD_MINUTES, seconds=60)
# The shortest hold that still lets Stripe accept it as a Checkout expiry.
HOLD_MINIMUM = timedelta(minutes=settings.CHECKOUT_HOLD_MINUTES, seconds=15)


def discount_for(*, code: str, program: Program, now: datetime) -> DiscountCode | None:
    """The code, locked, if it can be used now; DiscountCodeInvalid otherwise."""
    code = code.strip().upper()
    if not code:
        return None
    discount = (
        DiscountCode.objects.select_for_update()
        .filter(Q(program=program) | Q(program__isnull=True), code=code, active=True)
        .first()
    )
    if discount is None:
        raise DiscountCodeInvalid(_("That discount code does not exist for this program."))
    discount_check(discount=discount, now=now)
    return discount


def discount_check(*, discount: DiscountCode, now: datetime) -> None:
    """Raises DiscountCodeInvalid unless the locked code may take one more seat now.

    Uses are counted only after the code's row lock is held, in a statement of their
    own: on PostgreSQL that statement sees every hold committed by whoever held the
    lock before, so two people can never both take a code's last use.
    """
    if not discount.active:
        raise DiscountCodeInvalid(_("That discount code is no longer valid."))
    if discount.valid_from and now < discount.valid_from:
        raise DiscountCodeInvalid(_("That discount code is not valid yet."))
    if discount.valid_until and now >= discount.valid_until:
        raise DiscountCodeInvalid(_("That discount code has expired."))
    if discount.max_uses is not None:
        uses = DiscountCode.objects.with_uses(now).filter(pk=discount.pk)
        # with_uses annotates "uses"; the type plugin cannot see through a custom
        # QuerySet method's annotations, so it rejects the name.
        if uses.values_list("uses", flat=True).get() >= discount.max_uses:  # type: ignore[misc]
            raise DiscountCodeInvalid(_("That discount code has been used up."))


def amount_due(
    *, price_option: PriceOption, discount: DiscountCode | None, program: Program
) -> TaxBreakdown:
    """What a seat costs at this price with this code: the one rule for the amount due.

    The code comes off the price as shown; sales tax follows the centre's settings as
    they are now (omwellness.tax), read from the database rather than any cache, since
    this is what is charged. Its total is the amount due, and its tax is kept beside it.
    """
    amount = price_option.amount_cents
    if discount is not None:
        amount = discount.discounted(amount)
    settings = TaxSettings.current()
    return tax_breakdown(amount, taxable=program.taxable, settings=settings)
