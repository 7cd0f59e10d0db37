"""Reads about registrations. Writes live in services.py."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.models import Program

from .models import Answer, Payment, Registration, WaitlistEntry


def seats_taken_subquery(*, now) -> CombinedExpression:
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


def program_seats_taken(*, program: Program, now=None) -> int:
    now = now or timezone.now()
    held = Registration.objects.filter(program=program).holding_seats(now).count()
    offers = WaitlistEntry.objects.filter(
        program=program, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    return held + offers.count()


def program_seats_left(*, program: Program, now=None) -> int:
    return max(0, program.capacity - program_seats_taken(program=program, now=now))


@dataclass(frozen=True)
class RefillAnswers:
    values: dict[str, str]  # form field name -> answer, for the registration form's initial
    left_out: int  # sensitive answers not kept


def answers_to_refill(*, registration: Registration) -> RefillAnswers:
    """The answers to keep in the session when someone leaves Stripe Checkout and comes
    back to the form: the non-sensitive answers to the program's own questions only.

    Health answers never go into the session store, which outlives the registration and is
    not protected as the answers are (DESIGN rule 10); the person types them again.
    """
    answers = Answer.objects.filter(
        registration=registration, question__program_id=registration.program_id
    ).values_list("question_id", "value", "sensitive", "question__sensitive")
    values, left_out = {}, 0
    for question_id, value, sensitive, question_sensitive in answers:
        if sensitive or question_sensitive:
            left_out += 1
        else:
            values[f"q_{question_id}"] = value
    return RefillAnswers(values=values, left_out=left_out)


def payment_was_refused(*, registration: Registration, checkout_session_id: str) -> bool:
    """Whether the money taken in this session was refused and refunded (fulfilment.py)."""
    return registration.payments.filter(
        checkout_session_id=checkout_session_id, status=Payment.Status.REFUSED
    ).exists()
