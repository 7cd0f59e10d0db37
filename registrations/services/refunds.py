from registrations import payments, signals
from registrations.models import Payment, Refund, Registration


def refund_payment(
    *, payment: Payment, amount_cents: int, reason: str, key: str, actor=None
) -> Refund | None:
    """Refunds part or all of a payment through Stripe. Call inside a transaction, with
    the payment's registration locked and no program row locked (availability's lock
    order): a slow Stripe must not hold up everyone registering for the program.

    `key` names this refund for Stripe's idempotency: if the transaction rolls back
    after Stripe refunded, the retry gets the same refund back, never a second one.
    The charge.refunded event later confirms the amount (stripe_events._charge_refunded).
    """
    amount_cents = min(amount_cents, payment.amount_cents - payment.amount_refunded_cents)
    if amount_cents <= 0 or not payment.payment_intent_id:
        return None
    result = payments.refund_create(
        payment_intent_id=payment.payment_intent_id,
        amount_cents=amount_cents,
        idempotency_key=f"refund-{key}",
        reason=reason,
    )
    refund, created = Refund.objects.get_or_create(
        stripe_refund_id=result.id,
        defaults={
            "payment": payment,
            "amount_cents": result.amount,
            "reason": reason,
            "status": result.status,
            "created_by": actor,
        },
    )
    payment.amount_refunded_cents += refund.amount_cents
    payment.save(update_fields=["amount_refunded_cents"])
    if created:
        signals.refund_recorded.send(sender=Refund, refund=refund)
    return refund


def registration_refund(
    *, registration: Registration, amount_cents: int, reason: str, key: str, actor=None
) -> int:
    """Refunds up to `amount_cents` of what the registration paid, payment by payment, and
    returns how much. Locks as refund_payment asks; each payment's refund is keyed
    `<key>-<payment id>`, so the same `key` never refunds a payment twice."""
    remaining = amount_cents
    for payment in registration.payments.select_for_update().filter(status=Payment.Status.PAID):
        if remaining <= 0:
            break
        refund = refund_payment(
            payment=payment,
            amount_cents=remaining,
            reason=reason,
            key=f"{key}-{payment.pk}",
            actor=actor,
        )
        remaining -= refund.amount_cents if refund else 0
    return amount_cents - remaining
