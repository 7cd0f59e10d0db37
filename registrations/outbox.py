"""The outbox: claim, send, retry and sweep (DESIGN rule 5).

A row is written in the same transaction as the change that causes it; a task
claims it (queued → sending, one UPDATE, so two workers never both send it),
sends it through Django's email backend and marks it sent. A failure puts it
back to queued with the error and a growing delay; after a day it is marked
failed and shows in the admin. The sweep finds rows a broker outage or a killed
worker left behind and hands them to a worker again.
"""

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

RETRY_FIRST_DELAY_SECONDS = 60
RETRY_MAX_DELAY_SECONDS = 30 * 60  # below the broker's visibility timeout (settings)
GIVE_UP_AFTER = timedelta(days=1)
# Longer than the task's hard time limit: a row still "sending" after this has
# lost its worker, not merely a slow one.
STALE_SENDING_AFTER = timedelta(minutes=10)
# A queued row younger than this is most likely still travelling through the broker.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500
MESSAGE_ID_DOMAIN = "omwellness.ca"


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    outcome: str
    retry_in_seconds: int | None = None


def retry_delay_seconds(*, attempts: int) -> int:
    """1, 2, 4, 8 … minutes after each failed attempt, at most half an hour apart."""
    delay = RETRY_FIRST_DELAY_SECONDS * 2 ** max(0, attempts - 1)
    return min(RETRY_MAX_DELAY_SECONDS, delay)


def message_id(*, dedup_key: str) -> str:
    """A Message-ID fixed by the dedup key.

    If a worker dies after the mail server accepted a message but before the row
    was marked sent, the retry carries the same Message-ID, which mail servers and
    clients use to drop the copy.
    """
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


def outbound_email_message(*, email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers={"Message-ID": message_id(dedup_key=email.dedup_key)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def outbound_email_claim(*, email_id: int, now: datetime) -> OutboundEmail | None:
    """Takes a queued row for sending; None when it is sent, failed or another worker has it."""
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return OutboundEmail.objects.get(pk=email_id)


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about the recipient will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPServerDisconnected
    ):
        return 500 <= error.smtp_code < 600 and error.smtp_code not in {552}
    return False


def outbound_email_send(*, email_id: int, now: datetime | None = None) -> SendResult:
    """Sends one row at most once; says whether to retry and when."""
    now = now or timezone.now()
    email = outbound_email_claim(email_id=email_id, now=now)
    if email is None:
        return SendResult(Outcome.SKIPPED)
    try:
        outbound_email_message(email=email).send()
    except Exception as error:  # any backend: SMTP, an HTTP API, a timeout
        return _record_failure(email=email, error=error, now=now)
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return SendResult(Outcome.SENT)


def _record_failure(*, email: OutboundEmail, error: Exception, now: datetime) -> SendResult:
    description = f"{type(error).__name__}: {error}"[:2000]
    gave_up = _is_permanent(error) or now - email.created_at >= GIVE_UP_AFTER
    status = OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.QUEUED
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=status, last_error=description
    )
    if gave_up:
        logger.error("Gave up on email %s to %s: %s", email.pk, email.recipient, description)
        return SendResult(Outcome.FAILED)
    delay = retry_delay_seconds(attempts=email.attempts)
    logger.warning(
        "Email %s failed (attempt %s), retry in %ss: %s",
        email.pk,
        email.attempts,
        delay,
        description,
    )
    return SendResult(Outcome.RETRY, retry_in_seconds=delay)


def outbox_sweep(*, now: datetime | None = None) -> list[int]:
    """Rows to hand to a worker again: stuck by a broker outage, a killed worker or a retry
    whose message was lost. Rows still waiting out their retry delay are left alone."""
    now = now or timezone.now()
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER
    ).update(
        status=OutboundEmail.Status.QUEUED,
        last_error="The worker stopped while sending; trying again.",
    )
    settled_before = now - SWEEP_GRACE
    candidates = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
        .filter(
            Q(claimed_at__isnull=True, created_at__lt=settled_before)
            | Q(claimed_at__lt=settled_before)
        )
        .order_by("created_at")
        .values_list("pk", "attempts", "claimed_at")[:SWEEP_BATCH]
    )
    return [
        pk
        for pk, attempts, claimed_at in candidates
        if claimed_at is None
        or claimed_at + timedelta(seconds=retry_delay_seconds(attempts=attempts)) <= settled_before
    ]


def outbound_email_enqueue(*, email_ids: list[int]) -> int:
    """Hands rows to the send task; a broker that is down only delays them (see the sweep).

    Returns how many were handed over. The first failure stops the rest: with the
    broker down every row would wait out the same retries, and the sweep sends them all.
    """
    from .tasks import send_email

    handed = 0
    try:
        with send_email.app.producer_or_acquire() as producer:
            for email_id in email_ids:
                send_email.apply_async(
                    args=(email_id,),
                    producer=producer,
                    retry=True,
                    retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                )
                handed += 1
    except Exception:  # the broker is down: the rows stay queued for the sweep
        logger.warning(
            "Could not enqueue %s of %s emails; the outbox sweep will.",
            len(email_ids) - handed,
            len(email_ids),
            exc_info=True,
        )
    return handed


def outbound_email_resend(*, email: OutboundEmail, now: datetime | None = None) -> OutboundEmail:
    """A new row with the same content, so the history of the first one stays as it was."""
    now = now or timezone.now()
    copy, _ = OutboundEmail.objects.get_or_create(
        dedup_key=f"resend:{email.pk}:{now:%Y%m%dT%H%M%S}",
        defaults={
            "kind": email.kind,
            "recipient": email.recipient,
            "subject": email.subject,
            "body_text": email.body_text,
            "body_html": email.body_html,
            "attachments": email.attachments,
            "registration_id": email.registration_id,
            "created_at": now,
        },
    )
    return copy
