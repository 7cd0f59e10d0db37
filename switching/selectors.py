"""What the switch page shows: the next term, its fee for this person, and what changes.

Read without locks, to show; registrations.services.switch decides again under them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from programs.models import PriceOption, Program, Question, Session
from programs.translated import english
from registrations import services
from registrations.models import Registration, Switch
from registrations.services.availability import program_counted


@dataclass(frozen=True)
class PriceChange:
    option: PriceOption
    amount_due_cents: int
    difference_cents: int  # above zero: to pay; below: refunded

    @property
    def refund_cents(self) -> int:
        return max(0, -self.difference_cents)


@dataclass(frozen=True)
class SwitchOffer:
    registration: Registration
    target: Program | None
    target_sessions: tuple[Session, ...]
    deadline: datetime | None
    kept: PriceChange | None  # the target's price with the same label, when offered now
    prices: tuple[PriceChange, ...]  # every price offered now, to choose from otherwise
    keeps_answers: bool
    questions: tuple[Question, ...]  # the target's, asked when the answers do not carry over
    refusal: str  # why there is no switch now; empty when there is


def switch_offer(*, registration: Registration, now=None) -> SwitchOffer:
    now = now or timezone.now()
    program = registration.program
    deadline = services.switch_deadline(program)
    target = None
    if program.next_term_id is not None:
        target = program_counted(program_id=program.next_term_id, now=now)
    prices: tuple[PriceChange, ...] = ()
    keeps = False
    questions: tuple[Question, ...] = ()
    if target is not None:
        prices = tuple(
            PriceChange(
                option=option,
                amount_due_cents=(
                    amount := services.new_amount(registration=registration, price_option=option)
                ),
                difference_cents=amount - registration.amount_due_cents,
            )
            for option in target.price_options.all()
            if option.is_available(now)
        )
        keeps = services.same_questions(program, target)
        questions = () if keeps else tuple(target.questions.all())
    return SwitchOffer(
        registration=registration,
        target=target,
        target_sessions=tuple(target.sessions.order_by("starts_at")) if target else (),
        deadline=deadline,
        kept=next(
            (p for p in prices if english(p.option, "label") == registration.price_label), None
        ),
        prices=prices,
        keeps_answers=keeps,
        questions=questions,
        refusal=services.switch_refusal(
            registration=registration, target=target, deadline=deadline, now=now
        ),
    )


def switch_done(*, registration: Registration, target_id: int) -> bool:
    """Whether the registration already moved to `target_id` (a form sent twice)."""
    return (
        registration.program_id == target_id
        and registration.switches.filter(
            status=Switch.Status.COMPLETED, to_program_id=target_id
        ).exists()
    )


def switch_of_session(*, registration: Registration, session_id: str) -> Switch | None:
    """The switch whose difference this Checkout Session pays, if it is this registration's."""
    return (
        registration.switches.filter(payment__checkout_session_id=session_id)
        .select_related("to_program")
        .first()
    )
