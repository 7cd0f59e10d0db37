"""Registering and holding a seat (DESIGN rules 1 and 2)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programs.models import PriceOption, Program, Question
from registrations import emails, payments
from registrations.models import (
    Answer,
    DiscountCode,
    Payment,
    Registration,
    WaitlistEntry,
    new_reference,
)

from .availability import ensure_client_may_hold, ensure_open, program_lock
from .errors import (
    AlreadyRegistered,
    DiscountCodeInvalid,
    HoldRenewalRefused,
    OfferInvalid,
    ProgramFull,
    RegistrationRefused,
    SubmittedBefore,
)
from .log import registration_log

# Stripe accepts a Checkout expiry at least 30 minutes ahead; a minute more leaves
# room for the request itself.
HOLD = timedelta(minutes=settings.CHECKOUT_HOLD_MINUTES, seconds=60)
# The shortest hold that still lets Stripe accept it as a Checkout expiry.
HOLD_MINIMUM = timedelta(minutes=settings.CHECKOUT_HOLD_MINUTES, seconds=15)


@dataclass(frozen=True)
class RegistrationInput:
    name: str
    email: str
    phone: str
    price_option: PriceOption
    answers: dict[int, str]  # question id -> answer text
    discount_code: str = ""


def _discount(*, code: str, program: Program, now: datetime) -> DiscountCode | None:
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
        raise DiscountCodeInvalid("That discount code does not exist for this program.")
    _discount_check(discount=discount, now=now)
    return discount


def _discount_check(*, discount: DiscountCode, now: datetime) -> None:
    """Raises DiscountCodeInvalid unless the locked code may take one more seat now.

    Uses are counted only after the code's row lock is held, in a statement of their
    own: on PostgreSQL that statement sees every hold committed by whoever held the
    lock before, so two people can never both take a code's last use.
    """
    if not discount.active:
        raise DiscountCodeInvalid("That discount code is no longer valid.")
    if discount.valid_from and now < discount.valid_from:
        raise DiscountCodeInvalid("That discount code is not valid yet.")
    if discount.valid_until and now >= discount.valid_until:
        raise DiscountCodeInvalid("That discount code has expired.")
    if discount.max_uses is not None:
        uses = DiscountCode.objects.with_uses(now).filter(pk=discount.pk)
        # with_uses annotates "uses"; the type plugin cannot see through a custom
        # QuerySet method's annotations, so it rejects the name.
        if uses.values_list("uses", flat=True).get() >= discount.max_uses:  # type: ignore[misc]
            raise DiscountCodeInvalid("That discount code has been used up.")


def _amount_due(*, price_option: PriceOption, discount: DiscountCode | None) -> int:
    """What a seat costs at this price with this code: the one rule for the amount due."""
    amount = price_option.amount_cents
    return discount.discounted(amount) if discount is not None else amount


def _live_offer(*, token: str, program: Program, email: str, now) -> WaitlistEntry | None:
    if not token:
        return None
    offer = WaitlistEntry.objects.select_for_update().filter(token=token, program=program).first()
    if offer is None or not offer.offer_is_live(now):
        raise OfferInvalid("This waitlist offer has expired or has been used.")
    if offer.email.lower() != email.lower():
        raise OfferInvalid(f"This offer is for {offer.email}; please register with that email.")
    return offer


def registration_create(
    *,
    program: Program,
    data: RegistrationInput,
    offer_token: str = "",
    user=None,
    questions: Sequence[Question] | None = None,
    client_hash: str = "",
    submission_key: str = "",
    now: datetime | None = None,
) -> Registration:
    """Holds a seat for a new registration, or confirms it at once when nothing is due.

    Keeps DESIGN rule 1: the program row is locked, then seats are counted, so the
    last seat goes to exactly one person. The hold lasts as long as the Checkout
    Session that checkout_start() makes for it (rule 2). `client_hash` (from
    omwellness.client_ip) counts against the client's cap on live holds.

    `submission_key` makes the form's POST idempotent: when a registration already
    carries it, SubmittedBefore gives that registration back and nothing is made. It is
    decided under the program's lock, so two copies of one submission in flight at once
    make one registration.
    """
    now = now or timezone.now()
    _ensure_not_submitted(submission_key=submission_key)
    # Reads that need no lock happen before it, so the lock is held for as little as
    # possible: the seats count, the inserts and the commit.
    stale = []
    for existing in Registration.objects.active().filter(program=program, email__iexact=data.email):
        if existing.hold_is_live(now) or existing.status == Registration.Status.CONFIRMED:
            raise AlreadyRegistered(existing)
        stale.append(existing.pk)
    if user is None:
        from registrations.accounts import user_for_email

        user = user_for_email(data.email)
    try:
        with transaction.atomic():
            return _registration_create(
                program=program,
                data=data,
                offer_token=offer_token,
                user=user,
                questions=questions,
                stale=stale,
                client_hash=client_hash,
                submission_key=submission_key,
                now=now,
            )
    except IntegrityError as error:
        _ensure_not_submitted(submission_key=submission_key)
        active = Registration.objects.active().filter(program=program, email__iexact=data.email)
        if active.exists():
            raise AlreadyRegistered(active.first()) from error
        raise


def _ensure_not_submitted(*, submission_key: str) -> None:
    if not submission_key:
        return
    earlier = Registration.objects.filter(submission_key=submission_key).first()
    if earlier is not None:
        raise SubmittedBefore(earlier)


def _registration_create(
    *, program, data, offer_token, user, questions, stale, client_hash, submission_key, now
) -> Registration:
    program = program_lock(program_id=program.pk, now=now)
    # Under the lock: a copy of this submission that got here first has committed.
    _ensure_not_submitted(submission_key=submission_key)
    for registration in Registration.objects.select_for_update().filter(pk__in=stale):
        if registration.status == Registration.Status.PENDING and not registration.hold_is_live(
            now
        ):
            _hold_release(registration=registration, now=now, reason="replaced by a new attempt")
    offer = _live_offer(token=offer_token, program=program, email=data.email, now=now)
    ensure_open(program=program, now=now, offer=offer)
    if offer is None:  # an offer's seat is already held for this person, from any address
        ensure_client_may_hold(program=program, client_hash=client_hash, now=now)
    if data.price_option.program_id != program.pk or not data.price_option.is_available(now):
        raise RegistrationRefused("That price is no longer available; please choose another.")
    discount = _discount(code=data.discount_code, program=program, now=now)
    amount = _amount_due(price_option=data.price_option, discount=discount)

    registration = _registration_insert(
        program=program,
        user=user,
        name=data.name.strip(),
        email=data.email.strip(),
        phone=data.phone.strip(),
        price_option=data.price_option,
        price_label=data.price_option.label,
        amount_due_cents=amount,
        discount_code=discount,
        status=Registration.Status.PENDING,
        hold_expires_at=now + HOLD,
        agreed_to_policy_at=now,
        created_at=now,
        client_hash=client_hash,
        submission_key=submission_key or None,
    )
    if questions is None:
        questions = Question.objects.filter(program=program)
    questions = {q.pk: q for q in questions if q.program_id == program.pk}
    Answer.objects.bulk_create(
        Answer(
            registration=registration,
            question=questions[question_id],
            question_text=questions[question_id].text,
            sensitive=questions[question_id].sensitive,
            value=value,
        )
        for question_id, value in data.answers.items()
        if question_id in questions
    )
    if offer is not None:
        offer.status = WaitlistEntry.Status.ACCEPTED
        offer.save(update_fields=["status"])
    registration_log(
        registration=registration,
        action="created",
        message=f"{registration.price_label}, {amount / 100:.2f} CAD due"
        + (f", code {discount.code}" if discount else "")
        + (", from a waitlist offer" if offer else ""),
    )
    if amount == 0:
        registration_confirm(registration=registration, now=now, reason="nothing due")
    return registration


# Five characters from 31 give 28 million references; a repeat is rare but possible, and
# must cost a second try rather than the person's registration.
REFERENCE_ATTEMPTS = 5


def _registration_insert(**fields) -> Registration:
    """Registration.objects.create(), with a fresh reference when the drawn one is taken.

    Each try runs in its own savepoint, so a collision leaves the surrounding transaction
    (and the program lock) usable. Any other integrity error (the one active registration
    per address and program) rises to the caller as before.
    """
    attempts_left = REFERENCE_ATTEMPTS
    while True:
        reference = new_reference()
        try:
            with transaction.atomic():
                return Registration.objects.create(reference=reference, **fields)
        except IntegrityError:
            attempts_left -= 1
            if not attempts_left or not Registration.objects.filter(reference=reference).exists():
                raise


def registration_confirm(*, registration: Registration, now=None, reason: str = "") -> None:
    """Confirms the seat and sends the confirmation. Call inside a transaction."""
    now = now or timezone.now()
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    registration_log(registration=registration, action="confirmed", message=reason)
    emails.confirmation(registration=registration)
    emails.facilitators_notice(registration=registration, event="registered")


def _hold_release(*, registration: Registration, now, reason: str) -> None:
    registration.status = Registration.Status.EXPIRED
    registration.hold_expires_at = min(registration.hold_expires_at or now, now)
    registration.save(update_fields=["status", "hold_expires_at", "updated_at"])
    registration_log(registration=registration, action="hold released", message=reason)


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
        if registration.status != Registration.Status.PENDING and not (
            registration.status == Registration.Status.EXPIRED
        ):
            raise ProgramFull("This registration is not waiting for payment.")
        open_payment = (
            registration.payments.filter(status=Payment.Status.OPEN, expires_at__gt=now)
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
    if registration.hold_is_live(now) and payable.filter(status=Payment.Status.OPEN).exists():
        return []
    return list(payable.values_list("checkout_session_id", flat=True))


def _checkout_open(*, registration: Registration) -> str:
    hold_until = registration.hold_expires_at
    if hold_until is None:
        raise ValueError(f"{registration.reference} holds no seat to pay for")
    session = payments.checkout_session_create(
        reference=registration.reference,
        email=registration.email,
        item_name=f"{registration.program.title} ({registration.price_label})",
        amount_cents=registration.amount_due_cents,
        expires_at=hold_until,
        success_url=_urls(registration)[0],
        cancel_url=_urls(registration)[1],
        # One key per hold: a retry for the same hold gets the same session back.
        idempotency_key=f"checkout-{registration.reference}-{hold_until.timestamp():.6f}",
        metadata={"registration": registration.reference, "program": registration.program.slug},
    )
    payment_record(registration=registration, session=session)
    return session.url


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
        chosen = f"The price you chose ({label})" if label else "The price you chose"
        raise HoldRenewalRefused(
            f"{chosen} is no longer offered, so we could not hold your seat again at that "
            "price. Please register again and choose one of the current prices."
        )
    discount = None
    if registration.discount_code_id is not None:
        discount = (
            DiscountCode.objects.select_for_update()
            .filter(Q(program=program) | Q(program__isnull=True), pk=registration.discount_code_id)
            .first()
        )
        try:
            if discount is None:
                raise DiscountCodeInvalid("That discount code does not apply to this program.")
            _discount_check(discount=discount, now=now)
        except DiscountCodeInvalid as error:
            raise HoldRenewalRefused(
                f"{error} We could not hold your seat again with it. Please register again, "
                "with another code or none."
            ) from error
    amount = _amount_due(price_option=price, discount=discount)
    if amount != registration.amount_due_cents:
        registration_log(
            registration=registration,
            action="amount due changed",
            message=f"{registration.amount_due_cents / 100:.2f} CAD before, "
            f"{amount / 100:.2f} CAD now: the price changed while the hold had lapsed",
        )
    registration.amount_due_cents = amount
    registration.price_label = price.label


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


def checkout_continue(*, registration: Registration) -> str:
    return checkout_start(registration=registration)


def holds_expire_stale(*, now=None) -> int:
    """Expires pending holds whose time is up and their Checkout Sessions (rule 2).

    Each registration is re-read under lock, so a payment that lands at the same
    moment wins: fulfilment confirms it or refunds it (rule 3).
    """
    from .waitlist import waitlist_offer_free_seats

    now = now or timezone.now()
    stale = Registration.objects.filter(
        status=Registration.Status.PENDING, hold_expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(stale):
        sessions: list[str] = []
        with transaction.atomic():
            registration = Registration.objects.select_for_update().get(pk=pk)
            if registration.status != Registration.Status.PENDING or registration.hold_is_live(now):
                continue
            if registration.payments.filter(status=Payment.Status.PROCESSING).exists():
                continue  # a delayed payment is on its way: keep the seat until it settles
            _hold_release(registration=registration, now=now, reason="hold expired")
            open_payments = registration.payments.filter(status=Payment.Status.OPEN)
            sessions = list(open_payments.values_list("checkout_session_id", flat=True))
            open_payments.update(status=Payment.Status.EXPIRED)
            waitlist_offer_free_seats(program_id=registration.program_id, now=now)
            expired += 1
        for session_id in sessions:
            try:
                payments.checkout_session_expire(session_id)
            except payments.PaymentsUnavailable:
                pass  # Stripe expires it on its own at expires_at
    return expired


def checkout_cancelled(*, registration: Registration, now=None) -> None:
    """The person left Stripe Checkout: release the seat and make the page unpayable."""
    now = now or timezone.now()
    sessions: list[str] = []
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING:
            return
        if registration.payments.filter(
            status__in=[Payment.Status.PAID, Payment.Status.PROCESSING]
        ).exists():
            return
        open_payments = registration.payments.filter(status=Payment.Status.OPEN)
        sessions = list(open_payments.values_list("checkout_session_id", flat=True))
        open_payments.update(status=Payment.Status.EXPIRED)
        _hold_release(registration=registration, now=now, reason="left checkout")
        from .waitlist import waitlist_offer_free_seats

        waitlist_offer_free_seats(program_id=registration.program_id, now=now)
    for session_id in sessions:
        try:
            payments.checkout_session_expire(session_id)
        except payments.PaymentsUnavailable:
            pass
