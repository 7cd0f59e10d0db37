"""The rules of switching terms (services/switch.py): the window, the new fee, whether
the answers carry over, and why a switch is refused. Read by the switch page without
locks, to show, and by the service under them, to decide."""

from datetime import datetime

from django.utils.translation import gettext as _

from omwellness.tax import TaxBreakdown
from programs.models import PriceOption, Program
from programs.translated import english
from registrations.models import Registration

from .availability import ensure_open
from .errors import ProgramFull, RegistrationRefused
from .terms import amount_due


def new_fee(*, registration: Registration, price_option: PriceOption) -> TaxBreakdown:
    """The amount due at the target's price, tax included as the centre charges it now. A
    discount code goes along only where it works: a code for every program, or one for
    the target itself."""
    code = registration.discount_code
    applies = code is not None and code.program_id in (None, price_option.program_id)
    return amount_due(
        price_option=price_option,
        discount=code if applies else None,
        program=price_option.program,
    )


def new_amount(*, registration: Registration, price_option: PriceOption) -> int:
    return new_fee(registration=registration, price_option=price_option).total_cents


def same_questions(source: Program, target: Program) -> bool:
    """Same texts, kinds and choices, in the same order: the answers mean the same there."""

    def asked(program: Program) -> list[tuple]:
        return [
            (english(q, "text").strip(), q.kind, q.choice_list) for q in program.questions.all()
        ]

    return asked(source) == asked(target)


def switch_deadline(program: Program) -> datetime | None:
    first = program.sessions.order_by("starts_at").first()
    return program.switch_deadline(first.starts_at if first else None)


def switch_refusal(*, registration: Registration, target: Program | None, deadline, now) -> str:
    """Why this registration cannot move to `target` now (from program_counted or
    program_lock); an empty string when it can."""
    if registration.status != Registration.Status.CONFIRMED:
        return _("Only a confirmed registration can move to another term.")
    if target is None or target.status != Program.Status.PUBLISHED:
        return _("%(title)s has no next term to move to yet.") % {
            "title": registration.program.title
        }
    if deadline is None or now >= deadline:
        return _("The time to switch terms by yourself has passed. Please write to us.")
    try:
        ensure_open(program=target, now=now)
    except ProgramFull:
        return _("Every seat of %(title)s is taken, so there is no place to move to.") % {
            "title": target.title
        }
    except RegistrationRefused as refusal:
        return _("%(title)s: %(refusal)s") % {"title": target.title, "refusal": refusal}
    taken = Registration.objects.active().filter(program=target, email__iexact=registration.email)
    if taken.exists():
        return _("%(email)s already has a registration for %(title)s.") % {
            "email": registration.email,
            "title": target.title,
        }
    return ""
