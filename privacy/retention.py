"""The retention rules, applied by the periodic job (privacy/tasks.py).

Every period is a field of `omwellness.models.Centre`, edited in the admin:

- sensitive (health) answers are erased `erase_sensitive_answers_days` after their
  program's last session ends; the rows keep that an answer was given;
- the personal data of registrations that were cancelled, refunded or expired is
  erased `erase_ended_registrations_days` after they ended, and that of waitlist
  entries no longer waiting as long after they were made; payment records stay
  (privacy/erasure.py says what stays and for how long).

Idempotent: what was erased is marked and never counted again. Each run logs its counts.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from omwellness.models import Centre
from programs.models import Program
from registrations.models import Answer, Registration, WaitlistEntry

from .erasure import (
    answers_erase,
    names_past_financial_period,
    registration_erase,
    waitlist_entries_erase,
)

logger = logging.getLogger(__name__)

ENDED_STATUSES = [
    Registration.Status.CANCELLED,
    Registration.Status.REFUNDED,
    Registration.Status.EXPIRED,
]


@dataclass(frozen=True)
class RetentionResult:
    sensitive_answers: int
    registrations: int
    names: int
    waitlist_entries: int

    def __str__(self) -> str:
        return (
            f"{self.sensitive_answers} sensitive answers, {self.registrations} registrations, "
            f"{self.names} names kept for the books, {self.waitlist_entries} waitlist entries"
        )


def retention_apply(*, now: datetime | None = None) -> RetentionResult:
    now = now or timezone.now()
    centre = Centre.current()
    answers_cutoff = now - timedelta(days=centre.erase_sensitive_answers_days)
    ended_cutoff = now - timedelta(days=centre.erase_ended_registrations_days)

    over = (
        Program.objects.annotate(ended_at=Max("sessions__ends_at"))
        .filter(ended_at__lt=answers_cutoff)
        .values("pk")
    )
    answers = answers_erase(
        Answer.objects.filter(sensitive=True, registration__program__in=over), now=now
    )

    ended = (
        Registration.objects.filter(status__in=ENDED_STATUSES, erased_at__isnull=True)
        .annotate(ended_at=Coalesce("cancelled_at", "hold_expires_at", "created_at"))
        .filter(ended_at__lt=ended_cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    registrations = sum(
        registration_erase(
            registration_id=pk, reason="retention period over", now=now, centre=centre
        )
        for pk in list(ended)
    )
    names = names_past_financial_period(now=now, centre=centre)
    waitlist = waitlist_entries_erase(WaitlistEntry.objects.filter(created_at__lt=ended_cutoff))
    result = RetentionResult(
        sensitive_answers=answers,
        registrations=registrations,
        names=names,
        waitlist_entries=waitlist,
    )
    logger.info("retention: erased %s", result)
    return result
