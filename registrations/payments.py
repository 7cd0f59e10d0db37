"""The one door to Stripe. No other module imports `stripe`.

Tests and the local demo point STRIPE_API_BASE at the stand-in in devtools/, so
this code is the production code path everywhere.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)


class PaymentsUnavailable(Exception):
    """Stripe could not be reached or failed on its side: try again later."""


class PaymentsError(Exception):
    """Stripe refused the request."""


class InvalidWebhook(Exception):
    """The body or its signature is not a genuine Stripe event."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    payment_intent_id: str | None
    amount_total: int
    currency: str
    client_reference_id: str | None
    expires_at: datetime
    # What the site wrote into the session; a session it did not open carries other keys or none.
    metadata: dict[str, str]
    # Set when the customer came through a Payment Link rather than a session the site opened.
    payment_link_id: str | None


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        # The library retries connection errors and 5xx with the same idempotency key.
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=15),
    )


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise PaymentsUnavailable(str(error)) from error
    except stripe.StripeError as error:
        if error.http_status is None or error.http_status >= 500:
            raise PaymentsUnavailable(str(error)) from error
        raise PaymentsError(error.user_message or str(error)) from error


def _session(stripe_object) -> CheckoutSession:
    obj = stripe_object.to_dict()
    intent = obj.get("payment_intent")
    if intent is not None and not isinstance(intent, str):
        intent = intent["id"]
    link = obj.get("payment_link")
    if link is not None and not isinstance(link, str):
        link = link["id"]
    return CheckoutSession(
        id=obj["id"],
        url=obj.get("url") or "",
        status=obj["status"],
        payment_status=obj["payment_status"],
        payment_intent_id=intent,
        amount_total=obj.get("amount_total") or 0,
        # No default: fulfilment accepts CAD only, so a missing currency must not read as CAD.
        currency=(obj.get("currency") or "").lower(),
        client_reference_id=obj.get("client_reference_id"),
        expires_at=datetime.fromtimestamp(obj["expires_at"], tz=UTC),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
        payment_link_id=link,
    )


# Stripe Checkout's locale for each of the site's languages: Canadian French for French.
CHECKOUT_LOCALES = {"en": "en", "fr": "fr-CA"}


def checkout_session_create(
    *,
    reference: str,
    email: str,
    item_name: str,
    amount_cents: int,
    tax_cents: int = 0,
    tax_label: str = "",
    expires_at: datetime,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    metadata: dict[str, str],
    language: str = "en",
) -> CheckoutSession:
    """A hosted Checkout page for one seat. `metadata` must carry no personal data.

    `amount_cents` is the total; `tax_cents` of it, when any, is shown as a line of its
    own named `tax_label`, so Checkout states the sales tax as the site computed it
    (omwellness.tax) and the session's total stays the amount due. The page speaks
    `language`, the registration's (CHECKOUT_LOCALES).
    """
    line_items = [_line_item(name=item_name, amount_cents=amount_cents - tax_cents)]
    if tax_cents:
        line_items.append(_line_item(name=tax_label, amount_cents=tax_cents))
    params = {
        "mode": "payment",
        "client_reference_id": reference,
        "customer_email": email,
        "currency": "cad",
        "line_items": line_items,
        "payment_intent_data": {"metadata": metadata},
        "metadata": metadata,
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": CHECKOUT_LOCALES.get(language, "en"),
    }
    obj = _call(
        client().v1.checkout.sessions.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _session(obj)


def _line_item(*, name: str, amount_cents: int) -> dict:
    return {
        "quantity": 1,
        "price_data": {
            "currency": "cad",
            "unit_amount": amount_cents,
            "product_data": {"name": name},
        },
    }


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    return _session(_call(client().v1.checkout.sessions.retrieve, session_id))


def checkout_session_expire(session_id: str) -> None:
    """Makes a session unpayable. One that is already complete or expired is left as it is."""
    try:
        _call(client().v1.checkout.sessions.expire, session_id)
    except PaymentsError as refusal:
        # Stripe refuses to expire a session that is already complete or expired: the
        # usual answer, and nothing is payable either way; kept in the log all the same.
        logger.info("Checkout session %s was not expired: %s", session_id, refusal)


def refund_create(
    *, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
) -> RefundResult:
    obj = _call(
        client().v1.refunds.create,
        params={
            "payment_intent": payment_intent_id,
            "amount": amount_cents,
            "metadata": {"reason": reason[:450]},
        },
        options={"idempotency_key": idempotency_key},
    )
    return RefundResult(id=obj.id, status=obj.status, amount=obj.amount)


def webhook_event(payload: bytes, signature: str | None) -> dict:
    """The verified event as a plain dict; raises InvalidWebhook otherwise.

    Besides the signature, the body must have an event's shape (a string id and type,
    an object under data.object), so the handlers never meet a list where a dict goes.
    """
    if not signature:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from error
    if not _has_event_shape(event):
        raise InvalidWebhook("signed, but not shaped like a Stripe event")
    return event


def _has_event_shape(event) -> bool:
    # Stripe's ids and type names are far shorter than the columns that keep them.
    data = event.get("data") if isinstance(event, dict) else None
    return (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and len(event["type"]) <= 100
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )
