"""Paying for a hold: Stripe Checkout, and renewing a hold that ran short or lapsed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.money import format_money
from omwellness.tax import TaxSettings
from programs.models import PriceOption, Program
from programs.translated import english
from registrations import payments
from registrations.models import DiscountCode, Payment, Registration

from .availability import ensure_client_may_hold, ensure_open, program_lock
from .errors import (
    AlreadyRegistered,
    DiscountCodeInvalid,
    HoldRenewalRefused,
    NotAwaitingPayment,
)
from .holds import registration_confirm
from .log import registration_log
from .terms import HOLD, HOLD_MINIMUM, amount_due, discount_check

# Stripe ends a Checkout Session at most 24 hours after it is made; an approval holds a
# seat for days, so its sessions are cut in spans shorter than that (session_expiry).
SESSION_SPAN = timedelta(hours=23)


def session_expiry(*, hold_until: datetime, now: datetime) -> datetime:
    """When a Checkout Session opened now for this hold ends: with the hold, or, for a
    hold longer than Stripe allows, at the first of hold_until - k × SESSION_SPAN that is
    still at least HOLD_MINIMUM away. Fixed points, so a retry within the same span
    sends the same expiry and idempotency key, and gets the same session back."""
    if hold_until - now <= SESSION_SPAN:
        return hold_until
    return hold_until - ((hold_until - now - HOLD_MINIMUM) // SESSION_SPAN) * SESSION_SPAN


def _reusable_after(*, registration: Registration, now: datetime) -> datetime:
    """An open session is reused only if it ends at or after this: the hold's end for a
    short hold, a usable while ahead for an approval's long hold."""
    hold_until = registration.hold_expires_at or now
    return min(hold_until, now + HOLD_MINIMUM)


def _urls(registration: Registration) -> tuple[str, str]:
    base = settings.SITE_URL
    success = base + reverse("registrations:paid", args=[registration.reference])
    cancel = base + reverse("registrations:checkout_cancelled", args=[registration.reference])
    # The cancel address carries the token for a browser without this site's cookie
    # (one that opened Checkout from a copied address); the first visit trades it for
    # the cookie and drops it from the address (registrations.access).
    return (
        success + "?session_id={CHECKOUT_SESSION_ID}",
        cancel + f"?token={registration.access_token}",
    )


def checkout_start(*, registration: Registration, new: bool = False, now=None) -> str:
    """The address of a Stripe Checkout page for a pending registration.

    Reuses the open session when it lasts as long as the hold; otherwise renews the
    hold (if a seat is still free) and opens a new session. The idempotency key is
    derived from the hold, so retrying after an outage never makes a second session
    for the same hold. Raises PaymentsUnavailable when Stripe cannot be reached: the
    registration and its hold are kept, and the person can try again.
    """
    now = now or timezone.now()
    if (
        new
        and registration.hold_is_live(now)
        and registration.hold_expires_at - now >= HOLD_MINIMUM
    ):
        # Just created by registration_create: no checkout yet, a full hold, no one else
        # knows its reference. Nothing to re-read.
        return _checkout_open(registration=registration)
    # Stripe before the row locks (STYLE): a new session is opened only once the older
    # ones Stripe would still take are expired, so a renewed hold, perhaps at a new
    # amount, has one payable session. An outage raises here and changes nothing.
    for session_id in _sessions_superseded(registration=registration, now=now):
        # Raises PaymentsUnavailable in an outage: the person is asked to try again.
        payments.checkout_session_expire(session_id)
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=registration.pk)
        )
        if registration.status not in (Registration.Status.PENDING, Registration.Status.EXPIRED):
            raise NotAwaitingPayment(_("This registration is not waiting for payment."))
        open_payment = (
            registration.payments.filter(
                status=Payment.Status.OPEN,
                expires_at__gt=now,
                expires_at__gte=_reusable_after(registration=registration, now=now),
            )
            .order_by("-expires_at")
            .first()
        )
        if open_payment and registration.hold_is_live(now):
            return open_payment.checkout_url
        if not registration.hold_is_live(now) or registration.hold_expires_at - now < HOLD_MINIMUM:
            _hold_renew(registration=registration, now=now)
        if registration.status == Registration.Status.CONFIRMED:
            return settings.SITE_URL + reverse("registrations:paid", args=[registration.reference])
    return _checkout_open(registration=registration)


def _sessions_superseded(*, registration: Registration, now) -> list[str]:
    """Sessions of this registration Stripe may still take that the next checkout replaces.

    None while the hold is live and has an open session (it is reused). A session the
    site marked expired may still be open at Stripe when expiring it there failed.
    """
    if registration.status not in (Registration.Status.PENDING, Registration.Status.EXPIRED):
        return []
    payable = registration.payments.filter(
        status__in=[Payment.Status.OPEN, Payment.Status.EXPIRED], expires_at__gt=now
    )
    reusable = payable.filter(
        status=Payment.Status.OPEN,
        expires_at__gte=_reusable_after(registration=registration, now=now),
    )
    if registration.hold_is_live(now) and reusable.exists():
        return []
    return list(payable.values_list("checkout_session_id", flat=True))


def _checkout_open(*, registration: Registration) -> str:
    if registration.hold_expires_at is None:
        raise ValueError(f"{registration.reference} holds no seat to pay for")
    hold_until = session_expiry(hold_until=registration.hold_expires_at, now=timezone.now())
    session = payments.checkout_session_create(
        reference=registration.reference,
        email=registration.email,
        item_name=f"{registration.program.title} ({registration.fee_label})",
        amount_cents=registration.amount_due_cents,
        tax_cents=registration.tax_cents,
        tax_label=_tax_label() if registration.tax_cents else "",
        expires_at=hold_until,
        success_url=_urls(registration)[0],
        cancel_url=_urls(registration)[1],
        # One key per hold (per span of a long hold): a retry gets the same session back.
        idempotency_key=f"checkout-{registration.reference}-{hold_until.timestamp():.6f}",
        metadata={"registration": registration.reference, "program": registration.program.slug},
        language=registration.language,
    )
    payment_record(registration=registration, session=session)
    return session.url


def _tax_label() -> str:
    """'HST 13%' / 'TVH 13 %': the name of Checkout's tax line, from the centre's settings,
    in the language of the person paying."""
    settings = TaxSettings.current()
    return f"{settings.display_name} {settings.display_rate}"


def _hold_renew(*, registration: Registration, now) -> None:
    """A fresh 30-minute hold, if the seat is still this person's to have.

    A hold that lapsed gave up its seat, its price and its discount code: renewing it
    asks again, under the program lock, for all three, and charges what they come to
    now (staff may have edited the price). A hold still live keeps the terms it has.
    """
    program = program_lock(program_id=registration.program_id, now=now)
    holding = registration.hold_is_live(now)
    if not holding:
        ensure_open(program=program, now=now)
        ensure_client_may_hold(program=program, client_hash=registration.client_hash, now=now)
        _terms_renew(registration=registration, program=program, now=now)
    registration.status = Registration.Status.PENDING
    registration.hold_expires_at = now + HOLD
    try:
        with transaction.atomic():
            registration.save(
                update_fields=[
                    "status",
                    "hold_expires_at",
                    "amount_due_cents",
                    "tax_cents",
                    "price_label",
                    "updated_at",
                ]
            )
    except IntegrityError as error:
        raise AlreadyRegistered(
            Registration.objects.active()
            .filter(program=program, email__iexact=registration.email)
            .first()
        ) from error
    # Sessions of the old hold are never reused: the new hold gets its own (see
    # _sessions_superseded, which made them unpayable at Stripe first).
    registration.payments.filter(status=Payment.Status.OPEN).update(status=Payment.Status.EXPIRED)
    registration_log(registration=registration, action="hold renewed")
    if registration.amount_due_cents == 0:
        registration_confirm(registration=registration, now=now, reason="nothing due")


def _terms_renew(*, registration: Registration, program: Program, now) -> None:
    """Sets the amount due from the price and code as they are now, or raises
    HoldRenewalRefused saying what to do next. Call with the program locked."""
    price = PriceOption.objects.filter(
        pk__in=[registration.price_option_id], program=program
    ).first()
    if price is None or not price.is_available(now):
        label = price.label if price is not None else registration.price_label
        if label:
            message = _(
                "The price you chose (%(label)s) is no longer offered, so we could not hold "
                "your seat again at that price. Please register again and choose one of the "
                "current prices."
            ) % {"label": label}
        else:
            message = _(
                "The price you chose is no longer offered, so we could not hold your seat "
                "again at that price. Please register again and choose one of the current "
                "prices."
            )
        raise HoldRenewalRefused(message)
    discount = None
    if registration.discount_code_id is not None:
        discount = (
            DiscountCode.objects.select_for_update()
            .filter(Q(program=program) | Q(program__isnull=True), pk=registration.discount_code_id)
            .first()
        )
        try:
            if discount is None:
                raise DiscountCodeInvalid(_("That discount code does not apply to this program."))
            discount_check(discount=discount, now=now)
        except DiscountCodeInvalid as error:
            raise HoldRenewalRefused(
                _(
                    "%(problem)s We could not hold your seat again with it. Please register "
                    "again, with another code or none."
                )
                % {"problem": error}
            ) from error
    due = amount_due(price_option=price, discount=discount, program=program)
    amount = due.total_cents
    if amount != registration.amount_due_cents:
        registration_log(
            registration=registration,
            action="amount due changed",
            message=f"{format_money(registration.amount_due_cents)} before, "
            f"{format_money(amount)} now: the price changed while the hold had lapsed",
        )
    registration.amount_due_cents = amount
    registration.tax_cents = due.tax_cents
    registration.price_label = english(price, "label")


def payment_record(*, registration: Registration, session: payments.CheckoutSession) -> Payment:
    """The local record of a Checkout Session, created once whoever sees it first."""
    try:
        with transaction.atomic():
            return Payment.objects.create(
                checkout_session_id=session.id,
                registration=registration,
                checkout_url=session.url,
                amount_cents=session.amount_total,
                currency=session.currency,
                expires_at=session.expires_at,
            )
    except IntegrityError:
        return Payment.objects.get(checkout_session_id=session.id)
