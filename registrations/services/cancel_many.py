"""Cancelling many registrations at once, in the background (tasks.cancel_registrations)
after staff confirm the admin's "Cancel, with a refund…" for more than one.

Each registration goes through registration_cancel, its own transaction with its own
Stripe refund and idempotency key, so a crash part way leaves those done cancelled and
the rest untouched; running the task again skips those already cancelled. Each result
is in the registration's log: "cancelled" (written by registration_cancel) or, when it
could not be done, "cancellation not done" with why.
"""

from registrations import payments
from registrations.models import Registration

from .cancellation import registration_cancel
from .errors import CancellationRefused
from .log import registration_log

NOT_DONE = "cancellation not done"


def registrations_cancel_many(
    *, refunds: dict[int, int | None], reason: str, actor=None
) -> tuple[int, int]:
    """Cancels the registrations of `refunds` (id: amount to refund, None for the policy's);
    returns how many were cancelled now and how many could not be."""
    done = failed = 0
    for registration in Registration.objects.filter(pk__in=refunds).order_by("pk"):
        if not registration.is_active:
            continue
        try:
            registration_cancel(
                registration=registration,
                actor=actor,
                refund_cents=refunds[registration.pk],
                reason=reason,
            )
        except CancellationRefused as error:
            why = str(error)
        except (payments.PaymentsUnavailable, payments.PaymentsError) as error:
            why = f"Stripe did not refund ({error}); nothing was changed. Try again later."
        else:
            done += 1
            continue
        registration_log(registration=registration, action=NOT_DONE, message=why, actor=actor)
        failed += 1
    return done, failed
