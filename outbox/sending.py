"""Sending from the outbox: claim, send, record, retry and sweep (DESIGN rule 5).

A task claims a row (queued → sending, one UPDATE, so two workers never both send
it), hands it to the mail server through Django's email backend, and records "sent"
as soon as the server has accepted it, while the connection is still open. From that
moment only the record may be tried again, never the send: a database that fails
right then is retried here for a while, then by a task of its own (tasks.record_sent),
and the acceptance is noted in the cache, where the sweep looks before it sends a stale
row again.

A failure before acceptance puts the row back to queued with the error and a growing
delay; after a day it is marked failed and shows in the admin. The sweep finds rows
a broker outage left queued, and rows still "sending" long after any worker could
still be at them: a worker killed between the claim and the record. Only those are
sent again without knowing whether the first try arrived, under the same Message-ID,
which mail servers and clients use to drop a copy.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

RETRY_FIRST_DELAY_SECONDS = 60
RETRY_MAX_DELAY_SECONDS = 30 * 60  # below the broker's visibility timeout (settings)
GIVE_UP_AFTER = timedelta(days=1)
# A queued row younger than this is most likely still travelling through the broker.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500
# Seconds between tries to record "sent" in this task (about 15 s in all) before the
# record is handed to a task of its own, which keeps trying (tasks.record_sent).
RECORD_RETRY_DELAYS = (0.2, 0.5, 1, 2, 4, 8)
# While the database will not take a record, the acceptance is also noted in the cache
# (Redis in production), where the sweep looks before sending a stale row again: a long
# outage must not end in a second copy because the sweep ran before the record task.
ACCEPTED_KEY = "outbox:accepted:{}"
ACCEPTED_KEPT_SECONDS = 2 * 24 * 3600


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"
    # The mail server accepted it, and the database would not take the record yet.
    UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class SendResult:
    outcome: str
    retry_in_seconds: int | None = None
    sent_at: datetime | None = None


def stale_sending_after() -> timedelta:
    """Twice the send task's hard time limit: a row still "sending" after this has lost
    its worker, not merely a slow one (a task is killed at its limit)."""
    return timedelta(seconds=2 * (settings.CELERY_TASK_TIME_LIMIT or 300))


def retry_delay_seconds(*, attempts: int) -> int:
    """1, 2, 4, 8 … minutes after each failed attempt, at most half an hour apart."""
    delay = RETRY_FIRST_DELAY_SECONDS * 2 ** max(0, attempts - 1)
    return min(RETRY_MAX_DELAY_SECONDS, delay)


def outbound_email_message(*, email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers={**email.headers, "Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def claim(*, email_id: int, now: datetime) -> OutboundEmail | None:
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


def send(*, email_id: int, now: datetime | None = None) -> SendResult:
    """Sends one row at most once; says whether to retry and when."""
    now = now or timezone.now()
    email = claim(email_id=email_id, now=now)
    if email is None:
        return SendResult(Outcome.SKIPPED)
    # Opened here, not by send(), so the record below is written before the goodbye
    # (QUIT): a worker dying while the connection closes no longer leaves an accepted
    # email looking unsent.
    mail_connection = get_connection()
    try:
        mail_connection.open()
        mail_connection.send_messages([outbound_email_message(email=email)])
    except Exception as error:  # any backend: SMTP, an HTTP API, a timeout
        _close(mail_connection, email_id=email.pk)
        return _record_failure(email=email, error=error, now=now)
    try:
        sent_at = timezone.now()
        if record_sent(email_id=email.pk, sent_at=sent_at, delays=RECORD_RETRY_DELAYS):
            return SendResult(Outcome.SENT)
        return SendResult(Outcome.UNRECORDED, sent_at=sent_at)
    finally:
        _close(mail_connection, email_id=email.pk)


def _close(mail_connection, *, email_id: int) -> None:
    try:
        mail_connection.close()
    except Exception:  # the message was handed over or not already; closing changes nothing
        logger.warning("Closing the mail connection after email %s failed", email_id, exc_info=True)


def record_sent(*, email_id: int, sent_at: datetime, delays: tuple[float, ...] = ()) -> bool:
    """Marks an accepted email sent; True once recorded (or found recorded already).

    Tries once, then once more after each of `delays`. A failing database (a crash, a
    full disk, a dropped connection) is waited for here; the send is never repeated.
    """
    for attempt, delay in enumerate((*delays, None)):
        try:
            OutboundEmail.objects.filter(pk=email_id).exclude(
                status=OutboundEmail.Status.SENT
            ).update(status=OutboundEmail.Status.SENT, sent_at=sent_at, last_error="")
            return True
        except DatabaseError as error:
            if attempt == 0:
                cache.set(ACCEPTED_KEY.format(email_id), sent_at.isoformat(), ACCEPTED_KEPT_SECONDS)
            logger.warning(
                "Email %s was accepted by the mail server, and recording it as sent failed "
                "(%s: %s); trying the record again, not the send.",
                email_id,
                type(error).__name__,
                error,
            )
            if not connection.in_atomic_block:
                connection.close()  # a broken connection is opened afresh by the next query
            if delay is None:
                return False
            time.sleep(delay)
    return False


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


def sweep(*, now: datetime | None = None) -> list[int]:
    """Rows to hand to a worker again: stuck by a broker outage, a killed worker or a retry
    whose message was lost. Rows still waiting out their retry delay are left alone."""
    now = now or timezone.now()
    stale = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - stale_sending_after()
    )
    accepted = _accepted_while_the_database_was_away(list(stale.values_list("pk", flat=True)))
    for email_id, sent_at in accepted.items():
        record_sent(email_id=email_id, sent_at=sent_at)
    stale.exclude(pk__in=list(accepted)).update(
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


def _accepted_while_the_database_was_away(email_ids: list[int]) -> dict[int, datetime]:
    if not email_ids:
        return {}
    noted = cache.get_many([ACCEPTED_KEY.format(email_id) for email_id in email_ids])
    return {
        email_id: datetime.fromisoformat(noted[key])
        for email_id in email_ids
        if (key := ACCEPTED_KEY.format(email_id)) in noted
    }
