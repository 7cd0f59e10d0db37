"""Who meets a program's completion rule: the one home of that rule (here, below the
certificates app that issues on it, so the roster can show who is at risk).

The rule is on the program (`Program.completion_min_sessions`, and sessions marked
`required_for_completion`, e.g. the retreat). Only live attendance counts: a session is
attended when a facilitator marked the person present at it (`facilitate.Attendance`);
watching a recording is not attendance. Only confirmed participants can complete.

Read in three queries whatever the size of the program: its sessions, its confirmed
registrations (with their certificates), and the present marks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models.functions import Lower
from django.utils import timezone

from facilitate.models import Attendance
from programs.models import Program, Session
from registrations.models import Registration


@dataclass(frozen=True)
class CompletionRow:
    """One confirmed participant against the rule."""

    registration_id: int
    reference: str
    name: str
    attended: int  # sessions attended live
    live_minutes: int  # their length
    missed_required: tuple[str, ...]  # titles of required sessions not attended live
    meets_rule: bool
    certificate_code: str  # empty when none was issued
    certificate_revoked: bool

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_code)

    @property
    def may_be_issued(self) -> bool:
        return self.meets_rule and not self.has_certificate


@dataclass(frozen=True)
class Completion:
    """A program's rule and where each confirmed participant stands."""

    program: Program
    sessions: tuple[Session, ...]
    min_sessions: int | None  # None: the program gives no certificate
    required: tuple[Session, ...]
    has_ended: bool
    rows: tuple[CompletionRow, ...]

    @property
    def has_rule(self) -> bool:
        return self.min_sessions is not None

    @property
    def meeting(self) -> int:
        return sum(1 for row in self.rows if row.meets_rule)

    @property
    def to_issue(self) -> tuple[CompletionRow, ...]:
        """Who meets the rule and has no certificate yet."""
        return tuple(row for row in self.rows if row.may_be_issued)

    def row(self, registration_id: int) -> CompletionRow | None:
        return next((r for r in self.rows if r.registration_id == registration_id), None)


def _meets(*, min_sessions: int | None, attended: int, missed_required: tuple[str, ...]) -> bool:
    return min_sessions is not None and attended >= min_sessions and not missed_required


def program_completion(
    *,
    program: Program,
    registration_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> Completion:
    """Every confirmed participant of `program` (or only those of `registration_ids`)
    against its completion rule, in three queries."""
    now = now or timezone.now()
    sessions = tuple(Session.objects.filter(program=program).order_by("starts_at", "pk"))
    registrations = (
        Registration.objects.filter(program=program, status=Registration.Status.CONFIRMED)
        .select_related("certificate")
        .only(
            "pk",
            "reference",
            "name",
            "program_id",
            "status",
            "certificate__code",
            "certificate__revoked_at",
        )
        .order_by(Lower("name"), "pk")
    )
    marks = Attendance.objects.filter(session__program=program, present=True)
    if registration_ids is not None:
        ids = list(registration_ids)
        registrations = registrations.filter(pk__in=ids)
        marks = marks.filter(registration_id__in=ids)
    present: dict[int, set[int]] = {}
    for registration_id, session_id in marks.values_list("registration_id", "session_id"):
        present.setdefault(registration_id, set()).add(session_id)
    minutes = {s.pk: int((s.ends_at - s.starts_at).total_seconds() // 60) for s in sessions}
    required = tuple(s for s in sessions if s.required_for_completion)
    rows = []
    for registration in registrations:
        attended = present.get(registration.pk, set())
        missed = tuple(s.title for s in required if s.pk not in attended)
        certificate = getattr(registration, "certificate", None)
        rows.append(
            CompletionRow(
                registration_id=registration.pk,
                reference=registration.reference,
                name=registration.name,
                attended=len(attended),
                live_minutes=sum(minutes[pk] for pk in attended),
                missed_required=missed,
                meets_rule=_meets(
                    min_sessions=program.completion_min_sessions,
                    attended=len(attended),
                    missed_required=missed,
                ),
                certificate_code=certificate.code if certificate else "",
                certificate_revoked=bool(certificate and certificate.is_revoked),
            )
        )
    return Completion(
        program=program,
        sessions=sessions,
        min_sessions=program.completion_min_sessions,
        required=required,
        has_ended=bool(sessions) and max(s.ends_at for s in sessions) <= now,
        rows=tuple(rows),
    )
