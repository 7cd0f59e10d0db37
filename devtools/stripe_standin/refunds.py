"""Refunds: always immediate and successful, with Stripe's checks on the amount."""

import copy

from . import objects
from .errors import StripeError, unknown_param
from .params import as_int, format_money, metadata_from

_CREATE_PARAMS = {
    "amount", "charge", "currency", "customer", "expand", "instructions_email", "metadata",
    "origin", "payment_intent", "reason", "refund_application_fee", "reverse_transfer",
}  # fmt: skip
_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create_refund(store, params, request=None):
    for name in params:
        if name not in _CREATE_PARAMS:
            raise unknown_param(name)
    with store.lock:
        charge = _charge_to_refund(store, params)
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeError(
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = remaining
        if params.get("amount") not in (None, ""):
            amount = as_int(params["amount"], "amount", minimum=1)
        if amount > remaining:
            raise StripeError(_too_large_message(amount, charge), param="amount")
        reason = params.get("reason") or None
        if reason is not None and reason not in _REASONS:
            raise StripeError(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                param="reason",
            )

        refund = objects.refund_template()
        refund.update(
            id=objects.new_id("re_"),
            amount=amount,
            balance_transaction=objects.new_id("txn_"),
            charge=charge["id"],
            created=store.now(),
            currency=charge["currency"],
            metadata=metadata_from(params.get("metadata")),
            payment_intent=charge["payment_intent"],
            payment_method=charge["payment_method"],
            reason=reason,
        )
        if charge["payment_method_details"]["type"] != "card":
            refund["destination_details"] = None
        store.refunds[refund["id"]] = refund

        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))
        store.emit("charge.refunded", charge, request)
        store.emit("refund.created", refund, request)
        return refund


def _charge_to_refund(store, params):
    payment_intent_id = params.get("payment_intent")
    charge_id = params.get("charge")
    if not payment_intent_id and not charge_id:
        raise StripeError(
            "One of the following params should be provided for this request: "
            "payment_intent or charge."
        )
    if charge_id:
        charge = store.get("charge", charge_id, param="charge", status=400)
        if payment_intent_id and charge["payment_intent"] != payment_intent_id:
            raise StripeError(
                f"Charge {charge_id} does not belong to PaymentIntent {payment_intent_id}.",
                param="charge",
            )
    else:
        payment_intent = store.get(
            "payment_intent", payment_intent_id, param="payment_intent", status=400
        )
        charge = store.charges.get(payment_intent["latest_charge"] or "")
        if charge is None:
            raise _nothing_to_refund(payment_intent_id)
    if charge["status"] != "succeeded":
        raise _nothing_to_refund(charge["payment_intent"] or charge["id"])
    return charge


def _nothing_to_refund(payment_intent_id):
    return StripeError(
        f"This PaymentIntent ({payment_intent_id}) does not have a successful charge to refund.",
        param="payment_intent",
    )


def _too_large_message(amount, charge):
    currency = charge["currency"]
    if charge["amount_refunded"] == 0:
        return (
            f"Refund amount ({format_money(amount, currency)}) is greater than "
            f"charge amount ({format_money(charge['amount'], currency)})"
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    return (
        f"Refund amount ({format_money(amount, currency)}) is greater than unrefunded "
        f"amount on charge ({format_money(remaining, currency)})"
    )
