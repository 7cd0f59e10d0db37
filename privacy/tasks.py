"""The retention job, run daily by beat (omwellness/celery.py); safe to run twice."""

from celery import shared_task

from .retention import retention_apply


@shared_task(acks_late=True, reject_on_worker_lost=True)
def apply_retention() -> str:
    return str(retention_apply())
