"""The retention job: health answers, ended registrations, waitlist entries, the books."""

import io
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from omwellness.celery import app
from omwellness.models import Centre
from outbox.models import OutboundEmail
from privacy import tasks
from privacy.erasure import ERASED_BODY, ERASED_NAME
from privacy.retention import retention_apply
from registrations.models import Answer, Payment, Registration, WaitlistEntry

from ..factories import RegistrationFactory, WaitlistEntryFactory
from .helpers import HEALTH, answer, paid, program_ended, sent_email

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def test_retention_erases_health_answers_after_the_program_ends_keeping_that_they_were_given():
    old = RegistrationFactory(program=program_ended(days_ago=91))
    health = answer(old, sensitive=True, value=HEALTH)
    ordinary = answer(old, sensitive=False, value="Kinder self-talk")

    retention_apply()

    health.refresh_from_db()
    assert health.value == "" and health.erased_at is not None
    assert health.question_text  # the row says a question was answered, not what
    assert Answer.objects.get(pk=ordinary.pk).value == "Kinder self-talk"
    assert Registration.objects.get(pk=old.pk).name == old.name  # a confirmed stay is kept


def test_retention_keeps_health_answers_until_the_set_number_of_days():
    recent = RegistrationFactory(program=program_ended(days_ago=89))
    upcoming = RegistrationFactory()  # starts in 30 days
    kept = [
        answer(recent, sensitive=True, value=HEALTH),
        answer(upcoming, sensitive=True, value=HEALTH),
    ]

    assert retention_apply().sensitive_answers == 0
    assert [Answer.objects.get(pk=a.pk).value for a in kept] == [HEALTH, HEALTH]


def test_retention_periods_are_the_centres_settings():
    Centre.objects.update_or_create(pk=1, defaults={"erase_sensitive_answers_days": 10})
    health = answer(
        RegistrationFactory(program=program_ended(days_ago=11)), sensitive=True, value=HEALTH
    )

    assert retention_apply().sensitive_answers == 1
    assert Answer.objects.get(pk=health.pk).value == ""


def test_retention_erases_old_cancelled_and_expired_registrations_keeping_payments():
    long_ago = timezone.now() - timedelta(days=400)
    cancelled = RegistrationFactory(
        status=Registration.Status.REFUNDED, cancelled_at=long_ago, phone="+1 416-555-0123"
    )
    payment = paid(cancelled, when=long_ago, refund_cents=45000)
    email = sent_email(cancelled)
    answer(cancelled, sensitive=False, value="Kinder self-talk")
    expired = RegistrationFactory(status=Registration.Status.EXPIRED, hold_expires_at=long_ago)
    recent = RegistrationFactory(
        status=Registration.Status.CANCELLED, cancelled_at=timezone.now() - timedelta(days=30)
    )

    assert retention_apply().registrations == 2

    cancelled.refresh_from_db()
    assert (cancelled.email, cancelled.phone, cancelled.erased_at is not None) == ("", "", True)
    assert cancelled.name != ERASED_NAME  # paid: the name stays with the books (next test)
    assert cancelled.answers.get().value == ""
    assert Payment.objects.get(pk=payment.pk).amount_cents == 45000
    assert payment.refunds.get().amount_cents == 45000
    email.refresh_from_db()
    assert (email.recipient, email.body_text, email.body_html) == ("", ERASED_BODY, "")
    assert email.subject == "You're registered"
    expired.refresh_from_db()
    assert (expired.name, expired.email) == (ERASED_NAME, "")  # nothing paid: the name goes
    assert Registration.objects.get(pk=recent.pk).email == recent.email
    assert cancelled.log.filter(action="personal data erased").exists()


def test_retention_keeps_a_paid_registrations_name_for_the_financial_period_then_erases_it():
    paid_on = datetime(2020, 3, 15, 12, tzinfo=TORONTO)
    registration = RegistrationFactory(
        status=Registration.Status.REFUNDED, cancelled_at=paid_on + timedelta(days=10)
    )
    paid(registration, when=paid_on, refund_cents=45000)

    # Six years after the end of 2020 is the first moment of 2027.
    retention_apply(now=datetime(2026, 12, 31, 12, tzinfo=TORONTO))
    registration.refresh_from_db()
    assert registration.email == "" and registration.name != ERASED_NAME

    result = retention_apply(now=datetime(2027, 1, 2, 12, tzinfo=TORONTO))
    registration.refresh_from_db()
    assert result.names == 1 and registration.name == ERASED_NAME
    assert registration.payments.get().amount_cents == 45000


def test_retention_erases_old_waitlist_entries_no_longer_waiting():
    long_ago = timezone.now() - timedelta(days=400)
    left = WaitlistEntryFactory(status=WaitlistEntry.Status.LEFT, created_at=long_ago)
    waiting = WaitlistEntryFactory(status=WaitlistEntry.Status.WAITING, created_at=long_ago)

    assert retention_apply().waitlist_entries == 1
    left.refresh_from_db()
    assert (left.name, left.email) == (ERASED_NAME, "")
    assert WaitlistEntry.objects.get(pk=waiting.pk).email == waiting.email


def test_retention_is_idempotent_and_logs_its_counts(caplog):
    answer(RegistrationFactory(program=program_ended(days_ago=200)), sensitive=True, value=HEALTH)
    RegistrationFactory(
        status=Registration.Status.CANCELLED, cancelled_at=timezone.now() - timedelta(days=400)
    )

    with caplog.at_level(logging.INFO, logger="privacy.retention"):
        first = retention_apply()
        second = retention_apply()

    assert (first.sensitive_answers, first.registrations) == (1, 1)
    assert (second.sensitive_answers, second.registrations, second.names) == (0, 0, 0)
    assert "retention: erased 1 sensitive answers, 1 registrations" in caplog.text
    assert "retention: erased 0 sensitive answers, 0 registrations" in caplog.text
    assert OutboundEmail.objects.count() == 0


def test_retention_runs_daily_from_beat_and_from_a_command():
    job = app.conf.beat_schedule["apply-retention"]
    assert job["task"] == tasks.apply_retention.name == "privacy.tasks.apply_retention"
    health = answer(
        RegistrationFactory(program=program_ended(days_ago=200)), sensitive=True, value=HEALTH
    )

    out = io.StringIO()
    call_command("apply_retention", stdout=out)

    assert "retention: erased 1 sensitive answers" in out.getvalue()
    assert Answer.objects.get(pk=health.pk).value == ""
    assert tasks.apply_retention().startswith("0 sensitive answers")
