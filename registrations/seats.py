"""Seats a program has taken: the one count every page, the lock and the seat registry
(programs.seats) read (DESIGN rule 1)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.models import Program

from .models import Registration, Switch, WaitlistEntry


def seats_taken_subquery(*, now) -> CombinedExpression:
    """Seats held for a program: confirmed, live holds, live waitlist offers and switches."""
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
    # A participant switching in from another term holds a seat while they pay the difference.
    switches = (
        Switch.objects.filter(
            to_program=OuterRef("pk"), status=Switch.Status.HELD, hold_expires_at__gt=now
        )
        .order_by()
        .values("to_program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Coalesce(Subquery(registrations, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(offers, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(switches, output_field=IntegerField()), Value(0))
    )


def registered_subquery(*, now) -> Coalesce:
    """People registered for a program: confirmed registrations (its minimum counts them).
    `now` is taken for the catalogue's registry; a confirmation does not lapse."""
    confirmed = (
        Registration.objects.filter(program=OuterRef("pk"), status=Registration.Status.CONFIRMED)
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(confirmed, output_field=IntegerField()), Value(0))


def program_seats_taken(*, program: Program, now=None) -> int:
    now = now or timezone.now()
    held = Registration.objects.filter(program=program).holding_seats(now).count()
    offers = WaitlistEntry.objects.filter(
        program=program, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    switches = Switch.objects.filter(
        to_program=program, status=Switch.Status.HELD, hold_expires_at__gt=now
    )
    return held + offers.count() + switches.count()


def program_seats_left(*, program: Program, now=None) -> int:
    return max(0, program.capacity - program_seats_taken(program=program, now=now))
