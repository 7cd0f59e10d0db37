"""The decision on a program's minimum enrolment, announced once on its decision date.

From 9:00 am Toronto time on the decision date (the hour reminders go out), the
periodic job tells staff who manage programs (active staff accounts holding
`programs.change_program`: the Program staff group, superusers) and the program's
facilitators how many have registered against the minimum, and whether it was reached.
Registered means confirmed: a hold still waiting for payment is not a participant.
Nothing is cancelled by the job: staff decide, and cancel with the admin's action.

Once only: the program records the decision date it announced
(`minimum_announced_for`), under its row lock in the transaction that writes the
emails; staff moving the date later arms the announcement again.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from programs.models import Program
from registrations import emails
from registrations.models import Registration

DECISION_HOUR = 9
TOLD_STAFF_PERMISSION = ("programs", "change_program")


def _staff_to_tell() -> list[str]:
    app_label, codename = TOLD_STAFF_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    holds = Q(is_superuser=True)
    if permission is not None:
        holds |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = get_user_model().objects.filter(holds, is_active=True, is_staff=True)
    return sorted(set(users.values_list("email", flat=True)))


def minimum_decisions_due(*, now: datetime):
    """Programs whose decision is due and not yet announced."""
    local = timezone.localtime(now)
    due_by = local.date() if local.hour >= DECISION_HOUR else local.date() - timedelta(days=1)
    return Program.objects.filter(
        status=Program.Status.PUBLISHED,
        minimum_participants__isnull=False,
        minimum_decision_date__lte=due_by,
    ).filter(
        Q(minimum_announced_for__isnull=True)
        | Q(minimum_announced_for__lt=F("minimum_decision_date"))
    )


def minimum_decisions_announce(*, now: datetime | None = None) -> int:
    """Announces every decision due; returns how many programs were announced."""
    now = now or timezone.now()
    announced = 0
    for pk in list(minimum_decisions_due(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            program = minimum_decisions_due(now=now).select_for_update().filter(pk=pk).first()
            if program is None or program.minimum_decision_date is None:
                continue  # announced by a run beside this one, or changed meanwhile
            registered = Registration.objects.filter(
                program=program, status=Registration.Status.CONFIRMED
            ).count()
            facilitators = program.facilitators.filter(user__isnull=False, user__is_active=True)
            emails.minimum_decision(
                program=program,
                decision_date=program.minimum_decision_date,
                registered=registered,
                staff=_staff_to_tell(),
                facilitators=list(facilitators.values_list("name", "user__email")),
            )
            program.minimum_announced_for = program.minimum_decision_date
            program.save(update_fields=["minimum_announced_for", "updated_at"])
            announced += 1
    return announced
