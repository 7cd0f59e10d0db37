"""Reads about registrations. Writes live in services.py."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.models import Program

from .models import Payment, Registration, WaitlistEntry


def seats_taken_subquery(*, now) -> Coalesce:
    """Seats held for a program: confirmed, live holds and live waitlist offers."""
    registrations = (
        Registration.objects.filter(program=OuterRef("pk"))
        .holding_seats(now)
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    offers = (
        WaitlistEntry.objects.filter(
            program=OuterRef("pk"),
            status=WaitlistEntry.Status.OFFERED,
            offer_expires_at__gt=now,
        )
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(registrations, output_field=IntegerField()), Value(0)) + Coalesce(
        Subquery(offers, output_field=IntegerField()), Value(0)
    )


def program_seats_taken(*, program: Program, now=None, exclude_offer_id: int | None = None) -> int:
    now = now or timezone.now()
    held = Registration.objects.filter(program=program).holding_seats(now).count()
    offers = WaitlistEntry.objects.filter(
        program=program, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    if exclude_offer_id is not None:
        offers = offers.filter(~Q(pk=exclude_offer_id))
    return held + offers.count()


def program_seats_left(*, program: Program, now=None) -> int:
    return max(0, program.capacity - program_seats_taken(program=program, now=now))


def payment_was_refused(*, registration: Registration, checkout_session_id: str) -> bool:
    """Whether the money taken in this session was refused and refunded (fulfilment.py)."""
    return registration.payments.filter(
        checkout_session_id=checkout_session_id, status=Payment.Status.REFUSED
    ).exists()
