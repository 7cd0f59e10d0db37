"""Checkout Sessions: creating them, expiring them and taking their payments."""

import copy
import time

from . import objects
from .errors import StripeError, missing_param, unknown_param
from .params import as_dict, as_int, as_list, metadata_from

# Every parameter Stripe's create endpoint knows; unknown ones get Stripe's 400, so a typo
# in the app fails here as it would against Stripe. Those not listed in _COPIED_AS_IS or
# handled below are accepted and ignored.
_CREATE_PARAMS = {
    "adaptive_pricing", "after_expiration", "allow_promotion_codes",
    "allowed_payment_method_types", "automatic_tax", "billing_address_collection",
    "branding_settings", "cancel_url", "client_reference_id", "consent_collection", "currency",
    "custom_fields", "custom_text", "customer", "customer_account", "customer_creation",
    "customer_email", "customer_update", "discounts", "excluded_payment_method_types", "expand",
    "expires_at", "integration_identifier", "invoice_creation", "line_items", "locale",
    "managed_payments", "metadata", "mode", "name_collection", "optional_items",
    "origin_context", "payment_intent_data", "payment_method_collection",
    "payment_method_configuration", "payment_method_data", "payment_method_options",
    "payment_method_types", "permissions", "phone_number_collection", "redirect_on_completion",
    "return_url", "saved_payment_method_options", "setup_intent_data",
    "shipping_address_collection", "shipping_options", "submit_type", "subscription_data",
    "success_url", "tax_id_collection", "ui_mode", "wallet_options",
}  # fmt: skip
_COPIED_AS_IS = (
    "billing_address_collection", "cancel_url", "client_reference_id", "customer",
    "customer_creation", "customer_email", "locale", "submit_type", "success_url",
)  # fmt: skip
# payment_intent_data fields that land on the PaymentIntent once the customer pays.
_PAYMENT_INTENT_FIELDS = (
    "description", "receipt_email", "statement_descriptor", "statement_descriptor_suffix",
)  # fmt: skip

# The languages Stripe's hosted Checkout page speaks (its `locale` enum); any other
# value gets Stripe's 400.
LOCALES = {
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil",
    "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl",
    "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK",
    "zh-TW",
}  # fmt: skip

MIN_LIFETIME = 30 * 60
MAX_LIFETIME = 24 * 60 * 60


def create_session(store, params):
    for name in params:
        if name not in _CREATE_PARAMS:
            raise unknown_param(name)
    mode = params.get("mode") or ""
    if not mode:
        raise missing_param("mode")
    if mode != "payment":
        raise StripeError("The Stripe stand-in supports only mode=payment.", param="mode")
    raw_items = as_list(params.get("line_items"), "line_items")
    if not raw_items:
        raise missing_param("line_items")

    now = store.now()
    items = [_line_item(raw, index, now) for index, raw in enumerate(raw_items)]
    currency = items[0]["currency"]
    if any(item["currency"] != currency for item in items):
        raise StripeError("All line items must use the same currency.", param="line_items")
    if params.get("currency") and params["currency"].lower() != currency:
        raise StripeError(
            f"The currency ({params['currency']}) does not match the line items' ({currency}).",
            param="currency",
        )
    if params.get("customer_email") and "@" not in params["customer_email"]:
        raise StripeError(
            f"Invalid email address: {params['customer_email']}", param="customer_email"
        )
    if params.get("locale") and params["locale"] not in LOCALES:
        raise StripeError(f"Invalid locale: {params['locale']}", param="locale")
    expires_at = _expires_at(params.get("expires_at"), now)
    intent_data = as_dict(params.get("payment_intent_data"), "payment_intent_data")

    session = objects.checkout_session_template()
    for name in _COPIED_AS_IS:
        if params.get(name):
            session[name] = params[name]
    total = sum(item["amount_total"] for item in items)
    session_id = objects.new_id("cs_test_a1", 56)
    session.update(
        id=session_id,
        amount_subtotal=total,
        amount_total=total,
        created=now,
        currency=currency,
        expires_at=expires_at,
        metadata=metadata_from(params.get("metadata")),
        url=f"{store.public_url}/pay/{session_id}",
    )
    if params.get("allow_promotion_codes") is not None:
        session["allow_promotion_codes"] = params["allow_promotion_codes"] == "true"
    if params.get("payment_method_types"):
        session["payment_method_types"] = as_list(
            params["payment_method_types"], "payment_method_types"
        )
    with store.lock:
        store.checkout_sessions[session_id] = session
        store.line_items[session_id] = items
        store.payment_intent_data[session_id] = {
            "metadata": metadata_from(intent_data.get("metadata"), "payment_intent_data[metadata]"),
            **{name: intent_data[name] for name in _PAYMENT_INTENT_FIELDS if intent_data.get(name)},
        }
    return session


def open_payment_link(
    store, *, amount, currency="cad", client_reference_id=None, metadata=None, name="Payment"
):
    """The session a customer gets by opening a Payment Link.

    Stripe makes it, not the integration: `payment_link` names the link, the metadata is
    the link's own (set by whoever made the link), and `client_reference_id` is whatever the
    customer put in the link's address (`?client_reference_id=...`), so anyone can name
    anything. No expiry is chosen, so the session lasts Stripe's default 24 hours.
    """
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": amount,
                    "product_data": {"name": name},
                },
            }
        ],
    }
    if client_reference_id:
        params["client_reference_id"] = client_reference_id
    if metadata:
        params["metadata"] = metadata
    session = create_session(store, params)
    with store.lock:
        session["payment_link"] = objects.new_id("plink_")
    return session


def _line_item(raw, index, now):
    prefix = f"line_items[{index}]"
    raw = as_dict(raw, prefix)
    if raw.get("price"):
        raise StripeError(
            f"No such price: '{raw['price']}'", code="resource_missing", param=f"{prefix}[price]"
        )
    if "price_data" not in raw:
        raise StripeError(
            "You must specify either `price` or `price_data` for each line item.", param=prefix
        )
    price_data = as_dict(raw["price_data"], f"{prefix}[price_data]")
    for required in ("currency", "unit_amount"):
        if not price_data.get(required):
            raise missing_param(f"{prefix}[price_data][{required}]")
    product_data = as_dict(price_data.get("product_data"), f"{prefix}[price_data][product_data]")
    if not product_data.get("name"):
        raise missing_param(f"{prefix}[price_data][product_data][name]")
    if "quantity" not in raw:
        raise missing_param(f"{prefix}[quantity]")
    unit_amount = as_int(price_data["unit_amount"], f"{prefix}[price_data][unit_amount]", 0)
    quantity = as_int(raw["quantity"], f"{prefix}[quantity]", 1)
    currency = price_data["currency"].lower()
    amount = unit_amount * quantity
    return {
        "id": objects.new_id("li_"),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": currency,
        "description": product_data["name"],
        "price": {
            "id": objects.new_id("price_"),
            "object": "price",
            "active": False,
            "created": now,
            "currency": currency,
            "livemode": False,
            "metadata": {},
            "product": objects.new_id("prod_", 14),
            "type": "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
        },
        "quantity": quantity,
    }


def _expires_at(value, now):
    if value in (None, ""):
        return now + MAX_LIFETIME
    expires_at = as_int(value, "expires_at")
    if expires_at < now + MIN_LIFETIME:
        raise StripeError(
            "The `expires_at` timestamp must be at least 30 minutes from "
            "Checkout Session creation.",
            param="expires_at",
        )
    if expires_at > now + MAX_LIFETIME:
        raise StripeError(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            param="expires_at",
        )
    return expires_at


def expire_session(store, session_id, request=None):
    with store.lock:
        session = store.get_session(session_id)
        if session["status"] != "open":
            raise StripeError('Only Checkout Sessions with a status in ["open"] can be expired.')
        store.expire(session, request)
        return session


def pay_by_card(store, session, card_number, exp_month, exp_year, name=None, email=None):
    """Take an approved card payment for an open session, as Checkout does on "Pay"."""
    with store.lock:
        payment_intent, charge = _new_payment(store, session, "succeeded", email)
        charge["payment_method_details"] = objects.card_details(card_number, exp_month, exp_year)
        charge["billing_details"]["name"] = name or None
        _mark_paid(payment_intent, charge)
        _complete(session, payment_intent, "paid", email, name)
        store.emit("charge.succeeded", charge)
        store.emit("payment_intent.succeeded", payment_intent)
        store.emit("checkout.session.completed", session)


def complete_with_delayed_payment(store, session):
    """The customer chose a bank debit: the session completes before the money arrives."""
    with store.lock:
        payment_intent, charge = _new_payment(store, session, "processing")
        payment_intent["payment_method_types"] = ["acss_debit"]
        payment_intent["processing"] = {"type": "acss_debit"}
        charge["payment_method_details"] = objects.pre_authorized_debit_details()
        charge["captured"] = True
        _complete(session, payment_intent, "unpaid")
        store.emit("charge.pending", charge)
        store.emit("payment_intent.processing", payment_intent)
        store.emit("checkout.session.completed", session)


def settle_delayed_payment(store, session, succeeded):
    with store.lock:
        payment_intent = store.payment_intents.get(session["payment_intent"] or "")
        if payment_intent is None or payment_intent["status"] != "processing":
            raise StripeError(f"Checkout Session {session['id']} has no payment in progress.")
        charge = store.charges[payment_intent["latest_charge"]]
        if succeeded:
            _mark_paid(payment_intent, charge)
            payment_intent["processing"] = None
            session["payment_status"] = "paid"
            store.emit("charge.succeeded", charge)
            store.emit("payment_intent.succeeded", payment_intent)
            store.emit("checkout.session.async_payment_succeeded", session)
            return
        failure = "The customer's bank account could not be debited."
        charge.update(status="failed", failure_code="debit_not_authorized", failure_message=failure)
        payment_intent.update(
            status="requires_payment_method",
            processing=None,
            last_payment_error={
                "type": "invalid_request_error",
                "code": "debit_not_authorized",
                "message": failure,
                "charge": charge["id"],
            },
        )
        store.emit("charge.failed", charge)
        store.emit("payment_intent.payment_failed", payment_intent)
        store.emit("checkout.session.async_payment_failed", session)


def _new_payment(store, session, status, email=None):
    now = store.now()
    intent_data = copy.deepcopy(store.payment_intent_data.get(session["id"], {}))
    email = session["customer_email"] or email
    payment_intent = objects.payment_intent_template()
    payment_intent_id = objects.new_id("pi_")
    payment_intent.update(
        id=payment_intent_id,
        amount=session["amount_total"],
        client_secret=f"{payment_intent_id}_secret_{objects.new_id('', 25)}",
        created=now,
        currency=session["currency"],
        payment_method=objects.new_id("pm_"),
        status=status,
        **intent_data,
    )
    charge = objects.charge_template()
    charge_id = objects.new_id("ch_")
    charge.update(
        id=charge_id,
        amount=session["amount_total"],
        balance_transaction=objects.new_id("txn_"),
        created=now,
        currency=session["currency"],
        description=intent_data.get("description"),
        metadata=dict(intent_data.get("metadata", {})),
        outcome=objects.approved_outcome(),
        payment_intent=payment_intent_id,
        payment_method=payment_intent["payment_method"],
        receipt_email=intent_data.get("receipt_email"),
        refunds=objects.list_object([], f"/v1/charges/{charge_id}/refunds"),
        status="pending",
    )
    charge["billing_details"]["email"] = email
    payment_intent["latest_charge"] = charge_id
    store.payment_intents[payment_intent_id] = payment_intent
    store.charges[charge_id] = charge
    return payment_intent, charge


def _mark_paid(payment_intent, charge):
    payment_intent.update(status="succeeded", amount_received=payment_intent["amount"])
    charge.update(status="succeeded", paid=True, captured=True, amount_captured=charge["amount"])


def _complete(session, payment_intent, payment_status, email=None, name=None):
    session.update(
        status="complete",
        payment_status=payment_status,
        payment_intent=payment_intent["id"],
        customer_details=objects.customer_details(session["customer_email"] or email, name),
        url=None,
    )


def card_expiry_for_tests() -> tuple[int, int]:
    """A valid expiry for payments made through `StripeStandin.pay`: December, five years on."""
    return 12, time.gmtime().tm_year + 5
