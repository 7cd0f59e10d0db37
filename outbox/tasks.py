"""Celery tasks of the outbox: thin wrappers around sending and writing.

Every task is safe to run twice: a row is claimed once, and a record of "sent"
written twice is written once.
"""

import logging
from datetime import datetime

from celery import shared_task

from . import sending, services

logger = logging.getLogger(__name__)

# Between tries to record "sent" while the database is away (see sending.record_sent).
RECORD_RETRY_SECONDS = 10


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    result = sending.send(email_id=email_id)
    # Run eagerly (no broker), a retry would run again at once inside the request;
    # the row stays queued and the periodic flush tries it after its delay instead.
    if result.outcome == sending.Outcome.RETRY and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in_seconds)
    if result.outcome == sending.Outcome.UNRECORDED and result.sent_at is not None:
        _record_later(email_id=email_id, sent_at=result.sent_at, eager=self.request.is_eager)
    return result.outcome


def _record_later(*, email_id: int, sent_at: datetime, eager: bool) -> None:
    if eager:
        # No broker to keep the record for later: the row stays "sending" and the sweep
        # sends it again under the same Message-ID, which the recipient's server drops.
        logger.error(
            "Email %s was sent and could not be recorded; the sweep will resend it.", email_id
        )
        return
    try:
        record_sent.apply_async(args=(email_id, sent_at.isoformat()), countdown=1)
    except Exception:
        logger.error(
            "Email %s was sent and neither recorded nor handed over for recording; "
            "the sweep will resend it under the same Message-ID.",
            email_id,
            exc_info=True,
        )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def record_sent(self, email_id: int, sent_at: str) -> str:
    """Records "sent" for an email the mail server accepted, until the database takes it."""
    if sending.record_sent(email_id=email_id, sent_at=datetime.fromisoformat(sent_at)):
        return sending.Outcome.SENT
    raise self.retry(countdown=RECORD_RETRY_SECONDS)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def flush_outbox() -> int:
    """Hands rows stuck by a broker outage or a killed worker to the send task again."""
    return services.enqueue(email_ids=sending.sweep())
