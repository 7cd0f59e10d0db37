"""Celery tasks: thin wrappers that call a service.

Every task is safe to run twice: reminders are keyed by their moment, and the
expiry services only touch what is still stale. The outbox's tasks (sending,
flushing) are the outbox's own (outbox/tasks.py).
"""

from celery import shared_task

from .reminders import reminders_queue_due
from .services import holds_expire_stale, switch_holds_expire, waitlist_offers_expire


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_due_reminders() -> int:
    return reminders_queue_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_holds() -> int:
    return holds_expire_stale() + switch_holds_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_waitlist_offers() -> int:
    return waitlist_offers_expire()
