"""Celery tasks: thin wrappers that call a service.

Every task is safe to run twice: the outbox claims each row once, reminders are
keyed by their moment, and the expiry services only touch what is still stale.
"""

from celery import shared_task

from . import outbox


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    result = outbox.outbound_email_send(email_id=email_id)
    # Run eagerly (no broker), a retry would run again at once inside the request;
    # the row stays queued and the periodic flush tries it after its delay instead.
    if result.outcome == outbox.Outcome.RETRY and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in_seconds)
    return result.outcome


@shared_task(acks_late=True, reject_on_worker_lost=True)
def flush_outbox() -> int:
    """Hands rows stuck by a broker outage or a killed worker to the send task again."""
    return outbox.outbound_email_enqueue(email_ids=outbox.outbox_sweep())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_due_reminders() -> int:
    from .reminders import reminders_queue_due

    return reminders_queue_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_holds() -> int:
    from .services import holds_expire_stale

    return holds_expire_stale()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_waitlist_offers() -> int:
    from .services import waitlist_offers_expire

    return waitlist_offers_expire()
