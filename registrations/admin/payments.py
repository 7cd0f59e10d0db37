"""Admin for payments, refunds and Stripe events: the record of what happened, read-only."""

import json

from django.contrib import admin
from django.utils.html import format_html

from registrations.models import Payment, Refund, StripeEvent

from .display import ReadOnlyAdmin, ReadOnlyInline, cad, payment_money


class RefundInline(ReadOnlyInline):
    model = Refund
    readonly_fields = (
        "created_at",
        "amount_cents",
        "reason",
        "status",
        "stripe_refund_id",
        "created_by",
    )
    fields = readonly_fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "checkout_session_id",
        "registration",
        "status",
        "amount",
        "refunded",
        "paid_at",
    ]
    list_filter = ["status"]
    search_fields = [
        "checkout_session_id",
        "payment_intent_id",
        "registration__reference",
        "registration__email",
    ]
    list_select_related = ["registration"]
    inlines = [RefundInline]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, payment):
        return payment_money(payment, payment.amount_cents)

    @admin.display(description="Refunded", ordering="amount_refunded_cents")
    def refunded(self, payment):
        return payment_money(payment, payment.amount_refunded_cents)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "amount", "reason", "status", "created_by"]
    list_filter = ["status"]
    search_fields = ["stripe_refund_id", "payment__registration__reference", "reason"]
    list_select_related = ["payment__registration", "created_by"]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, refund):
        return cad(refund.amount_cents)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "event_id", "object_id", "processed_at", "outcome"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id", "outcome"]
    date_hierarchy = "received_at"
    fields = [
        ("event_id", "type"),
        "object_id",
        ("received_at", "processed_at"),
        "outcome",
        "payload_pretty",
    ]
    readonly_fields = ["payload_pretty"]

    @admin.display(description="Payload")
    def payload_pretty(self, event):
        return format_html(
            '<pre style="white-space:pre-wrap;max-width:60rem">{}</pre>',
            json.dumps(event.payload, indent=2, sort_keys=True),
        )
