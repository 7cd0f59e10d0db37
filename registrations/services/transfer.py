"""Moving registrations to another program (the admin action "Transfer to another program…").

Health information stays with the program it was given for (DESIGN rule 10): a transfer
deletes the answers given to the old program's questions, so the new program's
facilitators never read them, and emails the person a link to answer the new program's
questions instead (staff can fill the same form in).

Locks, in availability's lock order: the registrations, in id order, then each program
involved (the ones they leave and the one they join), in id order.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from omwellness.money import format_money
from programs.models import PriceOption, Program
from programs.translated import english
from registrations import emails
from registrations.models import Registration, RegistrationLog, WaitlistEntry

from .availability import ensure_open, program_lock, seats_free
from .cancellation import paid_cents
from .errors import ProgramFull, RegistrationRefused, TransferRefused
from .log import registration_log
from .waitlist import waitlist_leave, waitlist_offer_free_seats


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def registration_transfer(
    *,
    registration: Registration,
    program: Program,
    price_option: PriceOption,
    actor,
    now=None,
) -> Registration:
    """Moves one registration; see registrations_transfer."""
    return registrations_transfer(
        registrations=[registration],
        program=program,
        price_option=price_option,
        actor=actor,
        now=now,
    )[0]


def registrations_transfer(
    *,
    registrations: Sequence[Registration],
    program: Program,
    price_option: PriceOption,
    actor,
    now=None,
) -> list[Registration]:
    """Moves every registration, with its payment and seat, to `program` at `price_option`;
    or, when anything stands in the way, none of them.

    The whole batch is checked under the locks before anything changes: a refusal raises
    TransferRefused listing every problem, and nothing is written. Only confirmed
    registrations move: a hold's open checkout page charges for the program it was made
    for. The money stays as it was (nothing is charged or refunded); the log says so.
    Each person gets a confirmation for the new program and, when it asks questions, a
    link to answer them.
    """
    now = now or timezone.now()
    pks = sorted({registration.pk for registration in registrations})
    try:
        with transaction.atomic():
            batch = list(
                Registration.objects.select_for_update(of=("self",))
                .select_related("program")
                .filter(pk__in=pks)
                .order_by("pk")
            )
            # Read from the locked rows: no other change can move them now.
            sources = {registration.program_id for registration in batch}
            locked_programs = {
                program_id: program_lock(program_id=program_id, now=now)
                for program_id in sorted(sources | {program.pk})
            }
            target = locked_programs[program.pk]
            problems = _problems(
                batch=batch,
                target=target,
                price_option=price_option,
                now=now,
            )
            if problems:
                raise TransferRefused(problems)
            for registration in batch:
                _move(
                    registration=registration,
                    target=target,
                    price_option=price_option,
                    actor=actor,
                )
            for program_id in sorted(sources - {target.pk}):
                waitlist_offer_free_seats(program_id=program_id, now=now)
    except IntegrityError as error:
        # Not expected: the target's lock is held while the batch is checked. Should the
        # one-active-registration constraint still object, nothing was written.
        raise TransferRefused(
            [f"One of these people already has a registration in {program.title}."]
        ) from error
    return batch


def _problems(
    *,
    batch: list[Registration],
    target: Program,
    price_option: PriceOption,
    now,
) -> list[str]:
    """Everything that stands in the way of moving the whole batch, for staff to read."""
    problems = []
    if price_option.program_id != target.pk:
        problems.append(
            f"The price “{price_option.label}” belongs to another program: "
            f"choose a price of {target.title}."
        )
    emails_taken = dict(
        Registration.objects.active()
        .filter(program=target)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in={registration.email.lower() for registration in batch})
        .values_list("email_lower", "reference")
    )
    chosen: dict[str, str] = {}
    moving = 0
    for registration in batch:
        reference, email = registration.reference, registration.email.lower()
        if registration.program_id == target.pk:
            problems.append(f"{reference} is already in {target.title}.")
        elif registration.status == Registration.Status.PENDING:
            problems.append(
                f"{reference} is awaiting payment, and its checkout page charges for "
                f"{registration.program.title}: transfer it once it is paid, or cancel it."
            )
        elif not registration.is_active:
            problems.append(
                f"{reference} is {registration.get_status_display().lower()}: "
                "only a confirmed registration can be transferred."
            )
        elif email in emails_taken:
            problems.append(
                f"{reference}: {registration.email} already has a registration in "
                f"{target.title} ({emails_taken[email]})."
            )
        elif email in chosen:
            problems.append(
                f"{reference}: {registration.email} is also selected as {chosen[email]}, and "
                f"can have only one registration in {target.title}."
            )
        else:
            chosen[email] = reference
            moving += 1
    try:
        ensure_open(program=target, now=now)
    except ProgramFull:
        pass  # told below, with the number of seats the batch needs
    except RegistrationRefused as refusal:
        return [*problems, f"{target.title} takes no registrations now: {refusal}"]
    free = max(0, seats_free(program=target, now=now))
    if moving > free:
        problems.append(
            f"{target.title} has {_count(free, 'free seat')}, "
            f"and {_count(moving, 'selected registration')} would need one each."
        )
    return problems


def _move(*, registration: Registration, target: Program, price_option: PriceOption, actor) -> None:
    """Moves one checked, locked registration. Inside registrations_transfer's transaction."""
    previous = registration.program
    removed, _ = registration.answers.exclude(question__program=target).delete()
    registration.program = target
    registration.price_option = price_option
    registration.price_label = english(price_option, "label")
    registration.save(update_fields=["program", "price_option", "price_label", "updated_at"])
    money = (
        f"price option now {price_option.label} ({format_money(price_option.amount_cents)}); "
        f"amount due stays {format_money(registration.amount_due_cents)}, "
        f"paid {format_money(paid_cents(registration=registration))}: "
        "the transfer charged and refunded nothing"
    )
    if price_option.amount_cents != registration.amount_due_cents:
        difference = abs(price_option.amount_cents - registration.amount_due_cents)
        money += f"; the new price differs by {format_money(difference)}, to settle with the person"
    registration_log(
        registration=registration,
        actor=actor,
        action=RegistrationLog.TRANSFERRED,
        message=f"from {previous.slug} to {target.slug}; {money}",
    )
    if removed:
        # How many, never what: the log is read by more people than the answers were.
        registration_log(
            registration=registration,
            actor=actor,
            action="answers removed",
            message=(
                f"{_count(removed, 'intake answer')} given for {previous.slug} deleted, "
                f"not passed on to {target.slug}"
            ),
        )
    waitlist_leave_on_joining(registration=registration, target=target, actor=actor)
    emails.confirmation(registration=registration)
    emails.facilitators_notice(registration=registration, event="registered")
    if target.questions.exists():
        emails.answers_request(registration=registration, previous_program=previous)


def waitlist_leave_on_joining(*, registration: Registration, target: Program, actor) -> None:
    """Registered now, so a place on the new program's waitlist would only hold a second seat."""
    for entry in WaitlistEntry.objects.filter(
        program=target,
        email__iexact=registration.email,
        status__in=WaitlistEntry.ACTIVE_STATUSES,
    ):
        waitlist_leave(entry=entry)
        registration_log(
            registration=registration,
            actor=actor,
            action="waitlist left",
            message=f"left the waitlist of {target.slug} on moving there",
        )
