"""Celery tasks: thin wrappers that call a service.

Every task is safe to run twice: reminders are keyed by their moment, and the
expiry services only touch what is still stale. The outbox's tasks (sending,
flushing) are the outbox's own (outbox/tasks.py).
"""

from celery import shared_task
from django.contrib.auth import get_user_model

from .reminders import reminders_queue_due
from .services import holds_expire_stale, switch_holds_expire, waitlist_offers_expire
from .services.cancel_many import registrations_cancel_many
from .services.minimum import minimum_decisions_announce
from .services.program_cancel import program_cancel_finish, program_cancellations_resume
from .services.schedule_notice import schedule_change_notify


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_due_reminders() -> int:
    return reminders_queue_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_holds() -> int:
    return holds_expire_stale() + switch_holds_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_waitlist_offers() -> int:
    return waitlist_offers_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def announce_minimum_decisions() -> int:
    return minimum_decisions_announce()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cancel_program(program_id: int, actor_id: int | None = None) -> str:
    """The rest of a program's cancellation, after its status changed (the admin action)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return program_cancel_finish(program_id=program_id, actor=actor).describe()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def finish_program_cancellations() -> int:
    return program_cancellations_resume()


def _actor(actor_id: int | None):
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_schedule_change(
    program_id: int, changes: list[dict], actor_id: int | None = None
) -> int:
    """The schedule-change notice staff confirmed in the program admin."""
    return schedule_change_notify(program_id=program_id, changes=changes, actor=_actor(actor_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cancel_registrations(
    refunds: dict[str, int | None], reason: str, actor_id: int | None = None
) -> str:
    """The admin's "Cancel, with a refund…" for many registrations (ids as JSON keys)."""
    done, failed = registrations_cancel_many(
        refunds={int(pk): cents for pk, cents in refunds.items()},
        reason=reason,
        actor=_actor(actor_id),
    )
    return f"{done} cancelled, {failed} not"
