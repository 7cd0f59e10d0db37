"""The amount paid for a registration (gross, refunded, net): the one rule, in Python for
a page that has the payments in hand and in SQL for the admin's sorting and filtering.

Only payments marked paid count (a refused, failed or expired one never does); refunds
are taken off for the net, which is what the portal, the admin, emails and a refund quote
show. Registration and its queryset take these mixins (registrations.models); the payment
model is reached through the "payments" relation, so this module imports no model.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class AmountPaid:
    gross_cents: int
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents


class AmountPaidQuerySetMixin(models.QuerySet):
    def with_amount_paid(self) -> "AmountPaidQuerySetMixin":
        """Annotates paid_gross_cents, paid_refunded_cents and paid_net_cents: the same
        figures as Registration.amount_paid."""
        payment_model = self.model._meta.get_field("payments").related_model
        paid = payment_model.objects.filter(
            registration=OuterRef("pk"), status=payment_model.Status.PAID
        ).order_by()

        def total(field: str) -> Coalesce:
            summed = paid.values("registration").annotate(total=Sum(field)).values("total")
            return Coalesce(Subquery(summed, output_field=IntegerField()), 0)

        return self.annotate(
            paid_gross_cents=total("amount_cents"),
            paid_refunded_cents=total("amount_refunded_cents"),
        ).annotate(paid_net_cents=F("paid_gross_cents") - F("paid_refunded_cents"))


class AmountPaidMixin:
    payments: models.Manager

    @property
    def amount_paid(self) -> AmountPaid:
        """From the payments (the prefetched ones when the caller prefetched them)."""
        paid_status = self.payments.model.Status.PAID
        paid = [p for p in self.payments.all() if p.status == paid_status]
        return AmountPaid(
            gross_cents=sum(p.amount_cents for p in paid),
            refunded_cents=sum(p.amount_refunded_cents for p in paid),
        )
