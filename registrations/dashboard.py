"""The staff dashboard's figures: per upcoming program, seats, holds, waitlist, money
net of refunds and confirmed registrations per day; and the totals of those programs.

"Upcoming" is a published program whose last session has not ended (one that is running
still counts). Seats are the one count (seats.py), money the one rule (amount_paid.py).
Five queries whatever the number of programs or registrations.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from omwellness.charts import BarChart, bar_chart
from programs.models import Program

from .models import Registration, WaitlistEntry
from .seats import seats_taken_subquery

MAX_DAYS = 60  # a chart shows at most the last 60 days of registration


@dataclass(frozen=True)
class ProgramFigures:
    pk: int
    title: str
    starts_at: datetime | None
    capacity: int
    seats_taken: int
    holds: int  # pending registrations whose hold is still live
    waitlist: int  # entries still waiting, unconfirmed or offered
    net_cents: int  # paid, net of refunds
    per_day: BarChart

    @property
    def seats_free(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


@dataclass(frozen=True)
class Dashboard:
    programs: tuple[ProgramFigures, ...]

    @property
    def capacity(self) -> int:
        return sum(p.capacity for p in self.programs)

    @property
    def seats_taken(self) -> int:
        return sum(p.seats_taken for p in self.programs)

    @property
    def holds(self) -> int:
        return sum(p.holds for p in self.programs)

    @property
    def waitlist(self) -> int:
        return sum(p.waitlist for p in self.programs)

    @property
    def net_cents(self) -> int:
        return sum(p.net_cents for p in self.programs)


def _days(*, first: date, last: date, counts: dict[date, int]) -> list[tuple[str, int]]:
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [(f"{day:%b} {day.day}", counts.get(day, 0)) for day in days]


def dashboard(*, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    programs = list(
        Program.objects.with_dates()
        .annotate(seats_taken=seats_taken_subquery(now=now))  # type: ignore[no-redef]
        .filter(status=Program.Status.PUBLISHED)
        .filter(last_ends_at__gt=now)  # type: ignore[misc]  # an annotation (with_dates)
        .order_by("first_starts_at", "pk")
    )
    ids = [p.pk for p in programs]
    holds = dict(
        Registration.objects.filter(
            program_id__in=ids, status=Registration.Status.PENDING, hold_expires_at__gt=now
        )
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
        .order_by()
    )
    waiting = dict(
        WaitlistEntry.objects.filter(program_id__in=ids, status__in=WaitlistEntry.ACTIVE_STATUSES)
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
        .order_by()
    )
    net: dict[int, int] = {}
    for program_id, cents in (
        Registration.objects.filter(program_id__in=ids)
        .with_amount_paid()
        .filter(~Q(paid_gross_cents=0))
        .values_list("program_id", "paid_net_cents")
        .order_by()
    ):
        net[program_id] = net.get(program_id, 0) + cents
    here = timezone.get_current_timezone()
    per_day: dict[int, dict[date, int]] = {}
    for program_id, day, n in (
        Registration.objects.filter(program_id__in=ids, status=Registration.Status.CONFIRMED)
        .annotate(day=TruncDate("created_at", tzinfo=here))
        .values("program_id", "day")
        .annotate(n=Count("pk"))
        .values_list("program_id", "day", "n")
        .order_by()
    ):
        per_day.setdefault(program_id, {})[day] = n
    today = timezone.localdate(now)
    figures = []
    for program in programs:
        counts = per_day.get(program.pk, {})
        opened = program.registration_opens_at
        first = timezone.localdate(opened) if opened else min(counts, default=today)
        last = min(today, timezone.localdate(program.first_starts_at or now))
        if program.registration_closes_at:
            last = min(last, timezone.localdate(program.registration_closes_at))
        figures.append(
            ProgramFigures(
                pk=program.pk,
                title=program.title,
                starts_at=program.first_starts_at,
                capacity=program.capacity,
                seats_taken=program.seats_taken,
                holds=holds.get(program.pk, 0),
                waitlist=waiting.get(program.pk, 0),
                net_cents=net.get(program.pk, 0),
                per_day=bar_chart(
                    title=f"Confirmed registrations per day: {program.title}",
                    label_heading="Day",
                    value_label="Registrations",
                    points=_days(first=min(first, last), last=last, counts=counts),
                ),
            )
        )
    return Dashboard(programs=tuple(figures))
