"""The roster of one program: who registered, what they paid and answered, who came,
and who waits; read by the roster page, the sign-in sheet and the CSV export."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone

from omwellness.money import format_money
from programs.models import Program, Question
from registrations.models import Answer, Payment, Registration, WaitlistEntry

from .models import Attendance
from .selectors import FacilitatedProgram

ROSTER_STATUSES = [Registration.Status.CONFIRMED, Registration.Status.PENDING]


def payment_status(registration: Registration) -> str:
    """How a roster reads the money side of a registration, from prefetched payments."""
    if registration.status == Registration.Status.PENDING:
        return "Awaiting payment"
    amount = registration.amount_paid
    if amount.gross_cents == 0:
        return "No payment due" if registration.amount_due_cents == 0 else "Not paid"
    if amount.refunded_cents:
        return (
            f"Paid {format_money(amount.gross_cents)}, "
            f"refunded {format_money(amount.refunded_cents)}"
        )
    return f"Paid {format_money(amount.gross_cents)}"


@dataclass(frozen=True)
class RosterAnswer:
    question_id: int | None
    question_text: str
    sensitive: bool
    value: str


def people_with_sensitive_answers(answers_per_person: Iterable[Iterable[RosterAnswer]]) -> int:
    """How many of these people have a health answer with something in it: what a page
    or export showing them counts in its access record (omwellness.access_log)."""
    return sum(1 for answers in answers_per_person if any(a.sensitive and a.value for a in answers))


@dataclass(frozen=True)
class RosterRow:
    """One participant on the roster, the sign-in sheet and the CSV."""

    reference: str
    name: str
    email: str
    phone: str
    price_label: str
    status: str
    status_label: str
    created_at: datetime
    payment_status: str
    present_count: int
    absent_count: int
    answers: tuple[RosterAnswer, ...]  # to this program's own questions, in their order

    @property
    def is_confirmed(self) -> bool:
        return self.status == Registration.Status.CONFIRMED

    @property
    def is_pending(self) -> bool:
        return self.status == Registration.Status.PENDING

    def answer_to(self, question: Question) -> str:
        return next((a.value for a in self.answers if a.question_id == question.pk), "")


@dataclass(frozen=True)
class WaitlistRow:
    name: str
    email: str
    created_at: datetime
    is_offered: bool
    offer_expires_at: datetime | None


@dataclass(frozen=True)
class RosterCounts:
    capacity: int
    confirmed: int
    pending: int  # holds still live, not every pending row
    seats_left: int
    waitlist: int
    offered: int
    cancelled: int


@dataclass(frozen=True)
class Roster:
    rows: tuple[RosterRow, ...]
    waitlist: tuple[WaitlistRow, ...]
    questions: tuple[Question, ...]
    session_count: int
    counts: RosterCounts

    @property
    def confirmed(self) -> list[RosterRow]:
        return [row for row in self.rows if row.is_confirmed]

    @property
    def people_with_sensitive_answers(self) -> int:
        """How many people's health answers a page or export of this roster shows: what
        its access record counts (omwellness.access_log)."""
        return people_with_sensitive_answers(row.answers for row in self.rows)


def _roster_row(registration: Registration) -> RosterRow:
    marks = list(registration.attendance.all())
    return RosterRow(
        reference=registration.reference,
        name=registration.name,
        email=registration.email,
        phone=registration.phone,
        price_label=registration.price_label,
        status=registration.status,
        status_label=str(Registration.Status(registration.status).label),
        created_at=registration.created_at,
        payment_status=payment_status(registration),
        present_count=sum(1 for mark in marks if mark.present),
        absent_count=sum(1 for mark in marks if not mark.present),
        answers=roster_answers(registration.program_answers),
    )


def roster_answers(answers) -> tuple[RosterAnswer, ...]:
    """Intake answers as the portal shows them (the roster, the applications)."""
    return tuple(
        RosterAnswer(
            question_id=answer.question_id,
            question_text=answer.question_text,
            sensitive=answer.sensitive,
            value=answer.value,
        )
        for answer in answers
    )


def program_roster(*, facilitated: FacilitatedProgram, now: datetime | None = None) -> Roster:
    """Everyone registered (confirmed and awaiting payment) with answers, payment status
    and attendance, the waitlist and the counts.

    Sensitive answers are included: this is read only by the program's facilitators
    and staff. Emails and exports leave them out unless asked (see csv_export).

    Only answers to this program's own questions are read (DESIGN rule 10), whatever
    other Answer rows a registration has: one whose question belongs to another program
    (given before a transfer) or was deleted never reaches the roster, the sign-in sheet
    or the CSV. Attendance likewise counts this program's sessions only.
    """
    now = now or timezone.now()
    program = facilitated.program
    # Registration declares program_answers for the readers; the type plugin refuses a
    # prefetch into a declared attribute, which Django allows.
    registrations = list(
        Registration.objects.filter(program=program, status__in=ROSTER_STATUSES)  # type: ignore[no-redef]
        .select_related("price_option")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(question__program=program).order_by(
                    "question__position", "id"
                ),
                to_attr="program_answers",
            ),
            Prefetch("payments", queryset=Payment.objects.order_by("created_at")),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(session__program=program).only(
                    "registration", "present"
                ),
            ),
        )
        .order_by(Lower("name"), "id")
    )
    waitlist = list(
        WaitlistEntry.objects.filter(
            program=program,
            status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
        ).order_by("created_at", "id")
    )
    cancelled = (
        Registration.objects.filter(program=program)
        .filter(status__in=[Registration.Status.CANCELLED, Registration.Status.REFUNDED])
        .count()
    )
    counts = RosterCounts(
        capacity=program.capacity,
        confirmed=sum(1 for r in registrations if r.status == Registration.Status.CONFIRMED),
        pending=sum(1 for r in registrations if r.hold_is_live(now)),
        seats_left=facilitated.seats_left,
        waitlist=sum(1 for e in waitlist if e.status == WaitlistEntry.Status.WAITING),
        offered=sum(1 for e in waitlist if e.status == WaitlistEntry.Status.OFFERED),
        cancelled=cancelled,
    )
    return Roster(
        rows=tuple(_roster_row(registration) for registration in registrations),
        waitlist=tuple(
            WaitlistRow(
                name=entry.name,
                email=entry.email,
                created_at=entry.created_at,
                is_offered=entry.status == WaitlistEntry.Status.OFFERED,
                offer_expires_at=entry.offer_expires_at,
            )
            for entry in waitlist
        ),
        questions=facilitated.questions,
        session_count=len(facilitated.sessions),
        counts=counts,
    )


def confirmed_count(*, program: Program) -> int:
    return Registration.objects.filter(
        program=program, status=Registration.Status.CONFIRMED
    ).count()
