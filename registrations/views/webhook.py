import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from omwellness.middleware import database_unreachable
from registrations import payments, services

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its requests instead; the signature is checked below.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events (DESIGN rule 4): 400 for a bad signature, 5xx so Stripe retries."""
    try:
        event = payments.webhook_event(request.body, request.headers.get("Stripe-Signature"))
    except payments.InvalidWebhook as error:
        logger.warning("Refused a webhook: %s", error)
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    try:
        outcome = services.stripe_event_process(event=event)
    except (payments.PaymentsUnavailable, DatabaseError) as error:
        # Stripe or the database out of reach passes; any other database error may be a
        # defect, so its traceback is logged as an error. Stripe retries either way.
        outage = isinstance(error, payments.PaymentsUnavailable) or database_unreachable(error)
        (logger.warning if outage else logger.error)(
            "Webhook %s failed, Stripe will retry: %s", event.get("id"), error, exc_info=not outage
        )
        return HttpResponse("try again", status=503, content_type="text/plain")
    except payments.PaymentsError as error:
        # Stripe refused to show us the event's object: a key of another account or mode.
        # Acknowledging would lose the payment; failing keeps Stripe retrying until fixed.
        logger.error("Webhook %s: Stripe refused our request: %s", event.get("id"), error)
        return HttpResponse("try again", status=503, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
