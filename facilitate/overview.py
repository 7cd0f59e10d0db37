"""What the roster shows above its table: attendance per session as a small chart, and
who is at risk of missing the completion rule (the rule itself: completion.py).

At risk, for a confirmed participant who does not meet the rule yet, when the program
has one:
- they cannot reach the minimum any more: sessions attended plus sessions still to come
  are fewer than the minimum;
- they missed a required session that has ended;
- they need every session still to come to reach the minimum.
A session counts as "to come" until it ends; one that has ended counts as missed for
whoever is not marked present at it (so mark attendance after each session).
Four queries whatever the size of the program.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from omwellness.charts import BarChart, bar_chart

from .completion import program_completion
from .models import Attendance
from .selectors import FacilitatedProgram


@dataclass(frozen=True)
class AtRisk:
    name: str
    reference: str
    attended: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RosterOverview:
    attendance: BarChart  # present per session that has started
    min_sessions: int | None  # None: no completion rule
    session_count: int
    sessions_to_come: int
    at_risk: tuple[AtRisk, ...]


def _reasons(*, attended: int, minimum: int, to_come: int, missed: list[str]) -> list[str]:
    reasons = [f"Missed the required session “{title}”" for title in missed]
    if attended + to_come < minimum:
        reasons.append(f"Cannot reach {minimum} sessions any more ({attended} attended)")
    elif to_come and attended < minimum == attended + to_come:
        reasons.append(f"Needs every remaining session ({attended} attended of {minimum})")
    return reasons


def roster_overview(
    *, facilitated: FacilitatedProgram, now: datetime | None = None
) -> RosterOverview:
    now = now or timezone.now()
    program = facilitated.program
    completion = program_completion(program=program, now=now)
    present = dict(
        Attendance.objects.filter(session__program=program, present=True)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
        .order_by()
    )
    started = [s for s in completion.sessions if s.starts_at <= now]
    chart = bar_chart(
        title="Present at each session",
        label_heading="Session",
        value_label="Present",
        points=[(f"{i}. {s.title}", present.get(s.pk, 0)) for i, s in enumerate(started, 1)],
        maximum=len(completion.rows),
    )
    to_come = sum(1 for s in completion.sessions if s.ends_at > now)
    ended_required = {s.title for s in completion.required if s.ends_at <= now}
    at_risk = []
    minimum = completion.min_sessions
    if minimum is not None:
        for row in completion.rows:
            if row.meets_rule:
                continue
            missed = [t for t in row.missed_required if t in ended_required]
            reasons = _reasons(
                attended=row.attended, minimum=minimum, to_come=to_come, missed=missed
            )
            if reasons:
                at_risk.append(
                    AtRisk(
                        name=row.name,
                        reference=row.reference,
                        attended=row.attended,
                        reasons=tuple(reasons),
                    )
                )
    return RosterOverview(
        attendance=chart,
        min_sessions=minimum,
        session_count=len(completion.sessions),
        sessions_to_come=to_come,
        at_risk=tuple(at_risk),
    )
