"""Minimum enrolment: the decision notice to staff and facilitators, and the one email
each person gets when a program is cancelled."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from programs.models import Program
from programs.schedule import schedule_summary
from registrations.models import Registration

from .compose import FACILITATORS_LANGUAGE, Kind, fixed, queue, sessions_of
from .links import absolute, my_registrations_url, program_url, registration_url


def _next_term(program: Program) -> dict:
    """The next term of the program, offered when it is published."""
    following = program.next_term
    if following is None or following.status != Program.Status.PUBLISHED:
        return {}
    return {
        "next_term": following,
        "next_term_url": program_url(following),
        "next_term_when": schedule_summary(sessions_of(following)),
    }


def program_cancelled(
    *,
    program: Program,
    name: str,
    email: str,
    registration: Registration | None = None,
    refund_cents: int = 0,
    language: str | None = None,
) -> None:
    """One email per person (a registrant, or someone on the waitlist): the key is the
    address, so a person both registered and waiting hears it once. `language`: the
    person's, from their registration or waitlist entry."""
    queue(
        kind=Kind.PROGRAM_CANCELLED,
        dedup_key=f"program_cancelled:{program.pk}:{email.strip().lower()}",
        recipient=email,
        language=language or (registration.language if registration else None),
        subject=lambda: _("%(program)s is cancelled") % {"program": program.title},
        template="program_cancelled",
        context=lambda: {
            "name": name,
            "program": program,
            "program_url": program_url(program),
            "registration": registration,
            "registration_url": registration_url(registration) if registration else "",
            "my_registrations_url": my_registrations_url(),
            "refund_cents": refund_cents,
            **_next_term(program),
        },
        registration=registration,
    )


def minimum_decision(
    *,
    program: Program,
    decision_date: date,
    registered: int,
    staff: list[str],
    facilitators: list[tuple[str, str]],
) -> int:
    """Tells staff (addresses) and facilitators ((name, address)) whether the program
    reached its minimum by its decision date; returns how many were told."""
    minimum = program.minimum_participants or 0
    reached = registered >= minimum
    outcome = "minimum reached" if reached else "minimum not reached"
    context = {
        "program": program,
        "program_url": program_url(program),
        "registered": registered,
        "minimum": minimum,
        "reached": reached,
        "decision_date": decision_date,
    }
    people = [
        (address, "", absolute(reverse("admin:programs_program_change", args=[program.pk])))
        for address in staff
    ] + [
        (address, name, absolute(reverse("facilitate:roster", kwargs={"slug": program.slug})))
        for name, address in facilitators
    ]
    told = set()
    for address, name, url in people:
        if address.lower() in told:
            continue
        told.add(address.lower())
        queue(
            kind=Kind.MINIMUM_DECISION,
            dedup_key=f"minimum_decision:{program.pk}:{decision_date}:{address.lower()}",
            recipient=address,
            language=FACILITATORS_LANGUAGE,
            subject=fixed(f"{program.title}: {outcome} ({registered} of {minimum})"),
            template="minimum_decision",
            context=fixed({**context, "name": name, "url": url, "for_staff": not name}),
        )
    return len(told)
