"""Builders for the privacy tests (tests/privacy/): a past program, money, emails."""

from datetime import timedelta

from django.utils import timezone

from outbox.models import OutboundEmail
from registrations.models import Answer, Payment, Refund

from ..factories import ProgramFactory, QuestionFactory

HEALTH = "Recovering from surgery"


def program_ended(days_ago: int, **kwargs):
    """A program of two weekly sessions whose last one ended `days_ago` days ago."""
    return ProgramFactory(
        sessions__starts_in=timedelta(days=-days_ago - 7, hours=-3), sessions__weeks=2, **kwargs
    )


def answer(registration, *, sensitive: bool, value: str) -> Answer:
    question = QuestionFactory(program=registration.program, sensitive=sensitive)
    return Answer.objects.create(
        registration=registration,
        question=question,
        question_text=question.text,
        sensitive=sensitive,
        value=value,
    )


def paid(registration, *, cents=45000, when=None, refund_cents=0) -> Payment:
    payment = Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_test_{registration.reference}",
        amount_cents=cents,
        amount_refunded_cents=refund_cents,
        status=Payment.Status.PAID,
        paid_at=when or timezone.now(),
    )
    if refund_cents:
        Refund.objects.create(
            payment=payment, amount_cents=refund_cents, reason="cancelled", status="succeeded"
        )
    return payment


def sent_email(registration, *, subject="You're registered", to=None) -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind="confirmation",
        dedup_key=f"test-{registration.reference}-{subject}",
        recipient=to or registration.email,
        subject=subject,
        body_text=f"Hello {registration.name}",
        body_html=f"<p>Hello {registration.name}</p>",
        reference=registration.reference,
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
    )
