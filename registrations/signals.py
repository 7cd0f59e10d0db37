"""What registrations tells the catalogue when bookings change, and the apps above it
when money moves.

The public program page is cached for a second and shows seats left (programs/
page_cache.py). The catalogue does not know about registrations, so the booking core
tells it: any saved or deleted registration or waitlist entry drops its program's
cached page once the write commits.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from programs import page_cache

from .models import Registration, WaitlistEntry

# Money recorded, for the apps above registrations (receipts) that keep their own record
# of it. Both are sent inside the transaction that records the money, once per payment or
# refund, so a receiver's rows commit (or roll back) with it; registrations imports none
# of them. A receiver that raises rolls the recording back: the webhook answers 503 and
# Stripe sends the event again.
#
# payment_recorded(sender=Payment, payment=<Payment>): a checkout the site opened was
# paid (fulfilment marked it PAID; refused money is never reported).
payment_recorded = Signal()
# refund_recorded(sender=Refund, refund=<Refund>): money given back, through the site or
# in Stripe's dashboard, on any payment (a refused one included: a receiver decides).
refund_recorded = Signal()


@receiver([post_save, post_delete], sender=Registration)
@receiver([post_save, post_delete], sender=WaitlistEntry)
def forget_program_page(sender, instance: Registration | WaitlistEntry, **kwargs) -> None:
    # Use the program already loaded when it is the one saved (no query for its
    # slug); otherwise the cache looks the slug up after commit.
    program_field = sender._meta.get_field("program")
    if program_field.is_cached(instance) and instance.program.pk == instance.program_id:
        page_cache.forget(slug=instance.program.slug)
    else:
        page_cache.forget(program_id=instance.program_id)
