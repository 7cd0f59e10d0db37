"""Erasing personal data: the one home of what is erased and what is kept.

Called by the retention job (privacy/retention.py) and by completing a deletion
request (privacy/services.py). What is kept, and why:

- Payments and refunds (amounts, dates, Stripe's ids): financial records, kept as the
  CRA's books-and-records rule asks (the period is `Centre.financial_records_years`).
- The buyer's name on a registration that was paid, for the same period: a receipt
  names its buyer. After it, the name goes too (`names_past_financial_period`).
- That an intake answer was given (the row, its question and `erased_at`), not what.
- The registration's reference, program, price and log: they hold no one's contact
  details and explain the money.
- Of a consent to news: when it was given and withdrawn, the wording and the source,
  not who gave it. The person is unsubscribed first (mailing.services.unsubscribe).
- Of a certificate: its code and program, revoked "at the holder's request", so its
  public page says only that it was revoked; the name goes.

Everything else about the person on a registration goes: email, phone, the link
token, the hash of their address, their account link, every answer's value, and
the text and address of the emails the site sent about it.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from certificates.models import Certificate
from mailing import services as mailing
from mailing.models import Subscriber
from omwellness.models import Centre
from outbox.models import OutboundEmail
from registrations.models import Answer, Registration, WaitlistEntry, new_token
from registrations.services.log import registration_log

ERASED_NAME = "(erased)"
ERASED_BODY = "(erased)"


def answers_erase(answers: QuerySet[Answer], *, now: datetime) -> int:
    """Erases the values; each row keeps that it was answered. Idempotent."""
    return answers.filter(erased_at__isnull=True).update(value="", erased_at=now)


def emails_erase(emails: QuerySet[OutboundEmail]) -> int:
    """Erases the recipient and bodies of emails already sent (or given up on); one still
    queued or being sent is left to finish. Idempotent."""
    return (
        emails.filter(status__in=[OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED])
        .exclude(body_text=ERASED_BODY)
        .update(recipient="", body_text=ERASED_BODY, body_html="", attachments=[])
    )


def financial_period_ends(registration: Registration, *, centre: Centre) -> datetime | None:
    """When the money records of a paid registration may go: the end of the calendar
    year of its last payment, plus `financial_records_years`. None if nothing was paid."""
    paid = [p.paid_at for p in registration.payments.all() if p.paid_at is not None]
    if not paid:
        return None
    last = timezone.localtime(max(paid))
    return last.replace(
        year=last.year + 1 + centre.financial_records_years,
        month=1,
        day=1,
        hour=0,
        minute=0,
        second=0,
        microsecond=0,
    )


def registration_erase(
    *, registration_id: int, reason: str, now: datetime, centre: Centre, actor=None
) -> bool:
    """Erases one registration's personal data, under its row lock (registrations come
    first in the lock order). Refuses (False) a registration that still holds a seat for
    a program not yet over: erasing it would leave a seat nobody can reach."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("program")
            .prefetch_related("payments")
            .get(pk=registration_id)
        )
        if registration.erased_at is not None:
            return False
        if registration.is_active and not _program_over(registration, now=now):
            return False
        ends = financial_period_ends(registration, centre=centre)
        keeps_name = ends is not None and now < ends
        if not keeps_name:
            registration.name = ERASED_NAME
        registration.email = ""
        registration.phone = ""
        registration.client_hash = ""
        registration.submission_key = None
        registration.access_token = new_token()  # emailed links stop working
        registration.user = None
        registration.erased_at = now
        registration.save(
            update_fields=[
                "name",
                "email",
                "phone",
                "client_hash",
                "submission_key",
                "access_token",
                "user",
                "erased_at",
                "updated_at",
            ]
        )
        answers = answers_erase(registration.answers.all(), now=now)
        emails = emails_erase(OutboundEmail.objects.filter(reference=registration.reference))
        registration_log(
            registration=registration,
            action="personal data erased",
            message=f"{reason}: {answers} answers, {emails} emails"
            + ("; the name stays with the payment records" if keeps_name else ""),
            actor=actor,
        )
        return True


def _program_over(registration: Registration, *, now: datetime) -> bool:
    last = registration.program.sessions.order_by("-ends_at").values_list("ends_at", flat=True)
    ends_at = last.first()
    return ends_at is not None and ends_at < now


def names_past_financial_period(*, now: datetime, centre: Centre) -> int:
    """Erases the names kept with payment records once their period is over."""
    kept = (
        Registration.objects.filter(erased_at__isnull=False)
        .exclude(name=ERASED_NAME)
        .prefetch_related("payments")
    )
    done = [
        r.pk
        for r in kept
        if (ends := financial_period_ends(r, centre=centre)) is None or ends <= now
    ]
    return Registration.objects.filter(pk__in=done).update(name=ERASED_NAME)


def waitlist_entries_erase(entries: QuerySet[WaitlistEntry]) -> int:
    """Erases names and addresses of entries no longer on the waitlist. Idempotent."""
    return (
        entries.exclude(status__in=WaitlistEntry.ACTIVE_STATUSES)
        .exclude(email="")
        .update(name=ERASED_NAME, email="", user=None)
    )


def news_consents_erase(emails: tuple[str, ...], *, now: datetime) -> int:
    """Unsubscribes these addresses, then erases who they were from the subscriber and its
    consents (each keeps when, the wording and the source). Idempotent."""
    subscribers = Subscriber.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=[email.lower() for email in emails]
    )
    erased = 0
    for subscriber in subscribers:
        mailing.unsubscribe(token=subscriber.token, now=now)
        subscriber.consents.update(email="", name="")
        Subscriber.objects.filter(pk=subscriber.pk).update(
            email=f"erased-{subscriber.pk}@erased.invalid", name="", token=new_token()
        )
        erased += 1
    return erased


def certificates_erase(registration_ids: list[int], *, now: datetime) -> int:
    """Revokes and erases the name of the certificates of these registrations."""
    certificates = Certificate.objects.filter(registration_id__in=registration_ids)
    certificates.filter(revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason="Erased at the holder's request"
    )
    return certificates.exclude(name=ERASED_NAME).update(name=ERASED_NAME)
