"""A participant moving their own registration to the program's next term.

Three steps, each its own transaction, so that seats and money are right whatever
happens between them (a closed tab, a double click, a crash, a payment that lands late):

1. switch_start checks the window, the target and its seats under the target's program
   lock, and makes a HELD Switch: a seat in the target, held like a Checkout hold.
2. The fee: the same fee completes at once (switch_complete); a cheaper target refunds
   the difference through refunds.py and completes; a dearer one opens Stripe Checkout
   for the difference (switch_checkout), and fulfilment completes it once paid
   (switch_paid), on the same idempotent path as any payment.
3. Completing moves the registration (program, price, answers), logs it, confirms the
   new term to the person and tells the facilitators of both terms.

Until it completes the registration stays where it was: an abandoned payment leaves it
untouched, and the held seat ends with the hold (switch_holds_expire) or when the person
keeps their registration (switch_abandon). Locks follow availability's lock order: the
registration, its switch, then programs in id order; Stripe is never called with a
program row locked.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.money import format_money
from programs.models import PriceOption, Program
from programs.translated import english
from registrations import emails, payments
from registrations.models import Answer, Payment, Registration, RegistrationLog, Switch

from .availability import ensure_open, program_lock
from .checkout import payment_record
from .errors import RegistrationRefused, SwitchRefused
from .holds import checkout_sessions_expire
from .log import registration_log
from .refunds import registration_refund
from .switch_rules import new_fee, same_questions, switch_deadline, switch_refusal
from .terms import HOLD, HOLD_MINIMUM
from .transfer import waitlist_leave_on_joining
from .waitlist import waitlist_offer_free_seats


def switch_held(*, registration: Registration) -> Switch | None:
    return registration.switches.filter(status=Switch.Status.HELD).select_related("payment").first()


def switch_start(
    *,
    registration: Registration,
    target_id: int,
    price_option: PriceOption,
    answers: dict[int, str],
    now=None,
) -> Switch:
    """A held seat in the target at this price, or SwitchRefused saying why not.

    The same request sent again (a double click, a second tab) returns the switch it
    made, completed or still held, so it pays and moves once. Different terms replace a
    held switch that nothing was paid for yet.
    """
    now = now or timezone.now()
    stored = {str(pk): value for pk, value in answers.items() if value}
    older = switch_held(registration=registration)
    if older is not None and older.payment is not None:
        if older.payment.status != Payment.Status.OPEN:
            raise SwitchRefused(_("Your payment for the switch is being processed."))
        if (older.to_program_id, older.price_option_id, older.answers) != (
            target_id,
            price_option.pk,
            stored,
        ):
            # Stripe before the locks: the older page must not stay payable.
            payments.checkout_session_expire(older.payment.checkout_session_id)
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        switches = Switch.objects.select_for_update().filter(registration=registration)
        done = switches.filter(status=Switch.Status.COMPLETED, to_program_id=target_id).first()
        if done is not None and registration.program_id == target_id:
            return done
        held = switches.filter(status=Switch.Status.HELD).first()
        if held is not None:
            same = (held.to_program_id, held.price_option_id, held.answers) == (
                target_id,
                price_option.pk,
                stored,
            )
            lasts = held.payment_id or held.hold_expires_at - now >= HOLD_MINIMUM
            if same and held.hold_is_live(now) and lasts:
                return held
            _release(switch=held, reason="replaced by a new attempt", now=now, offer_seat=False)
        if registration.program.next_term_id != target_id:
            raise SwitchRefused(_("This page was out of date: please look at the switch again."))
        target = program_lock(program_id=target_id, now=now)
        deadline = switch_deadline(registration.program)
        refusal = switch_refusal(
            registration=registration, target=target, deadline=deadline, now=now
        )
        if refusal:
            raise SwitchRefused(refusal)
        if price_option.program_id != target.pk or not price_option.is_available(now):
            raise SwitchRefused(_("That price is not offered for the next term."))
        fee = new_fee(registration=registration, price_option=price_option)
        amount = fee.total_cents
        switch = Switch.objects.create(
            registration=registration,
            from_program=registration.program,
            to_program=target,
            price_option=price_option,
            amount_due_cents=amount,
            tax_cents=fee.tax_cents,
            difference_cents=amount - registration.amount_due_cents,
            answers=stored,
            hold_expires_at=now + HOLD,
        )
        registration_log(
            registration=registration,
            action="switch started",
            message=f"to {target.slug} at {price_option.label}: a seat is held there until "
            f"{timezone.localtime(switch.hold_expires_at):%H:%M}; "
            f"difference {format_money(switch.difference_cents)}",
        )
    return switch


def switch_checkout(*, switch: Switch, return_url: str) -> str:
    """The Stripe Checkout page for the difference of a held switch; the same page for
    the same switch (its idempotency key names it). Stripe sends the person back to
    `return_url` (the switch page), with the session or the access token."""
    if switch.payment is not None and switch.payment.status == Payment.Status.OPEN:
        return switch.payment.checkout_url
    registration, target = switch.registration, switch.to_program
    session = payments.checkout_session_create(
        reference=registration.reference,
        email=registration.email,
        item_name=f"Move to {target.title} ({switch.price_option.label}): the difference",
        amount_cents=switch.difference_cents,
        expires_at=switch.hold_expires_at,
        success_url=return_url + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=return_url + f"?token={registration.access_token}",
        idempotency_key=f"switch-checkout-{switch.pk}",
        metadata={"registration": registration.reference, "program": target.slug},
        language=registration.language,
    )
    with transaction.atomic():
        payment = payment_record(registration=registration, session=session)
        Switch.objects.filter(pk=switch.pk, payment__isnull=True).update(payment=payment)
    return session.url


def switch_complete(*, switch: Switch, now=None) -> Registration:
    """Completes a held switch with nothing to pay: refunds a cheaper term's difference
    (its idempotency key names the switch and payment, so a retry after a crash gets the
    same refund back) and moves the registration. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(
            pk=switch.registration_id
        )
        switch = Switch.objects.select_for_update().get(pk=switch.pk)
        if switch.status == Switch.Status.COMPLETED:
            return registration
        if switch.status != Switch.Status.HELD or switch.difference_cents > 0:
            raise SwitchRefused(_("This switch is no longer waiting to be completed."))
        if not switch.hold_is_live(now):
            _check_seat(switch=switch, now=now)  # before any refund goes to Stripe
        if switch.difference_cents < 0:
            _refund_difference(registration=registration, switch=switch)
        _finish(registration=registration, switch=switch, now=now)
    return registration


def switch_paid(*, registration: Registration, switch: Switch, now=None) -> str:
    """Fulfilment found the difference paid: completes the switch, or says why it cannot,
    and then the payment is refunded in full. Registration and switch are locked; the
    program locks are taken in a savepoint, given back on a refusal (no Stripe call under
    them)."""
    now = now or timezone.now()
    if switch.status != Switch.Status.HELD:
        return "the switch was given up before the payment arrived"
    why = ""
    if registration.status != Registration.Status.CONFIRMED:
        why = "the registration was cancelled before the switch was paid"
    elif registration.program_id != switch.from_program_id:
        why = "the registration moved before the switch was paid"
    else:
        try:
            with transaction.atomic():
                _finish(registration=registration, switch=switch, now=now)
        except SwitchRefused as refusal:
            why = f"the switch could not be completed ({refusal})"
            registration.refresh_from_db()  # the savepoint's changes are gone from the row
    if why:
        # No waitlist offer here: it would lock the program, and the refund follows.
        _release(switch=switch, reason=f"payment refunded: {why}", now=now, offer_seat=False)
    return why


def switch_payment_expired(*, switch: Switch, now=None) -> None:
    """Stripe expired the difference's checkout: the held seat goes back. Locked rows."""
    if switch.status == Switch.Status.HELD:
        _release(switch=switch, reason="checkout expired", now=now or timezone.now())


def switch_abandon(*, switch: Switch, reason: str, now=None) -> None:
    """Gives the held seat back and leaves the registration as it was; nothing happens
    when a payment for the switch is already on its way (fulfilment decides then)."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(
            pk=switch.registration_id
        )
        switch = Switch.objects.select_for_update().get(pk=switch.pk)
        if switch.status != Switch.Status.HELD:
            return
        if switch.payment is not None and switch.payment.status != Payment.Status.OPEN:
            return
        sessions = _release(switch=switch, reason=reason, now=now)
    checkout_sessions_expire(registration=registration, session_ids=sessions)


def switch_holds_expire(*, now=None) -> int:
    """The periodic job: held switches whose time is up. One with nothing to pay is
    completed if its seat is still free (its request failed half-way, perhaps after
    Stripe refunded); any other gives its seat back."""
    now = now or timezone.now()
    stale = Switch.objects.filter(status=Switch.Status.HELD, hold_expires_at__lte=now)
    ended = 0
    for switch in stale.select_related("payment"):
        if switch.difference_cents <= 0:
            try:
                switch_complete(switch=switch, now=now)
                ended += 1
                continue
            except (SwitchRefused, payments.PaymentsUnavailable):
                pass  # no seat, or Stripe away: the seat goes back below
        switch_abandon(switch=switch, reason="hold expired", now=now)
        ended += 1
    return ended


def _check_seat(*, switch: Switch, now) -> None:
    """Raises SwitchRefused unless a seat is free in the target; the lock is taken in a
    savepoint and given back."""
    with transaction.atomic():
        try:
            ensure_open(program=program_lock(program_id=switch.to_program_id, now=now), now=now)
        except RegistrationRefused as refusal:
            raise SwitchRefused(str(refusal)) from refusal


def _refund_difference(*, registration: Registration, switch: Switch) -> None:
    registration_refund(
        registration=registration,
        amount_cents=min(-switch.difference_cents, registration.amount_paid.net_cents),
        reason=f"Moved to {switch.to_program.title}: the difference",
        key=f"switch-{switch.pk}",
    )


def _release(*, switch: Switch, reason: str, now, offer_seat: bool = True) -> list[str]:
    """Ends a held switch (locked, with its registration); returns the sessions to
    expire at Stripe after the transaction."""
    switch.status = Switch.Status.ABANDONED
    switch.answers = {}
    switch.save(update_fields=["status", "answers"])
    sessions = []
    if switch.payment is not None and switch.payment.status == Payment.Status.OPEN:
        sessions.append(switch.payment.checkout_session_id)
        Payment.objects.filter(pk=switch.payment.pk).update(status=Payment.Status.EXPIRED)
    registration_log(registration=switch.registration, action="switch abandoned", message=reason)
    if offer_seat:
        waitlist_offer_free_seats(program_id=switch.to_program_id, now=now)
    return sessions


def _finish(*, registration: Registration, switch: Switch, now) -> None:
    """Moves the locked registration to the switch's target. Raises SwitchRefused when the
    seat is gone (a lapsed hold) or the person registered there meanwhile."""
    source = registration.program
    locked = {
        pk: program_lock(program_id=pk, now=now) for pk in sorted({source.pk, switch.to_program_id})
    }
    target = locked[switch.to_program_id]
    if not switch.hold_is_live(now):
        try:
            ensure_open(program=target, now=now)
        except RegistrationRefused as refusal:
            raise SwitchRefused(str(refusal)) from refusal
    answers_note, ask_by_email = _answers_move(
        registration=registration, switch=switch, target=target
    )
    old_amount = registration.amount_due_cents
    registration.program = target
    registration.price_option = switch.price_option
    registration.price_label = english(switch.price_option, "label")
    registration.amount_due_cents = switch.amount_due_cents
    registration.tax_cents = switch.tax_cents
    try:
        with transaction.atomic():
            registration.save(
                update_fields=[
                    "program",
                    "price_option",
                    "price_label",
                    "amount_due_cents",
                    "tax_cents",
                    "updated_at",
                ]
            )
    except IntegrityError as error:
        raise SwitchRefused(
            _("%(email)s is already registered there.") % {"email": registration.email}
        ) from error
    switch.status = Switch.Status.COMPLETED
    switch.completed_at = now
    switch.answers = {}
    switch.save(update_fields=["status", "completed_at", "answers"])
    registration_log(
        registration=registration,
        action=RegistrationLog.TRANSFERRED,
        message=f"switched by the participant from {source.slug} to {target.slug} at "
        f"{switch.price_option.label}; amount due {format_money(old_amount)} before, "
        f"{format_money(switch.amount_due_cents)} now; {_money_note(switch)}; {answers_note}",
    )
    waitlist_leave_on_joining(registration=registration, target=target, actor=None)
    emails.confirmation(registration=registration)
    emails.facilitators_switch(registration=registration, source=source, switch_id=switch.pk)
    if ask_by_email:
        emails.answers_request(registration=registration, previous_program=source)
    waitlist_offer_free_seats(program_id=source.pk, now=now)


def _money_note(switch: Switch) -> str:
    if switch.difference_cents > 0:
        return f"difference {format_money(switch.difference_cents)} paid"
    if switch.difference_cents < 0:
        return f"difference {format_money(-switch.difference_cents)} refunded"
    return "same fee, nothing charged or refunded"


def _answers_move(
    *, registration: Registration, switch: Switch, target: Program
) -> tuple[str, bool]:
    """Keeps the answers when the target asks the same questions, else stores the ones
    given in the switch form; answers to the old questions never reach the target's
    facilitators (DESIGN rule 10). Returns what the log says, and whether the target's
    questions are still to be asked (by email)."""
    source = registration.program
    if not switch.answers and same_questions(source, target):
        pairs = zip(source.questions.all(), target.questions.all(), strict=True)
        for old, new in pairs:
            registration.answers.filter(question=old).update(question=new)
        removed, _by_kind = registration.answers.exclude(question__program=target).delete()
        return f"answers kept (same questions); {removed} others removed", False
    removed, _by_kind = registration.answers.all().delete()
    questions = {str(q.pk): q for q in target.questions.all()}
    given = [(questions[pk], value) for pk, value in switch.answers.items() if pk in questions]
    Answer.objects.bulk_create(
        Answer(
            registration=registration,
            question=question,
            question_text=english(question, "text"),
            sensitive=question.sensitive,
            value=value,
        )
        for question, value in given
    )
    note = f"{removed} answers to the old questions removed, {len(given)} new answers given"
    return note, bool(questions) and not given
