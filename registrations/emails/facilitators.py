"""What facilitators are told, and what they send to their program's participants."""

import hashlib

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.models import User
from programs.models import Facilitator, Program
from registrations.models import Registration
from registrations.seats import program_seats_left

from .compose import FACILITATORS_LANGUAGE, Kind, confirmed_participants, fixed, program_stay, queue
from .links import absolute, program_url, registration_url


def facilitators_with_accounts(program: Program) -> list[tuple[Facilitator, User]]:
    """The program's facilitators who can be emailed and sign in, with their accounts."""
    facilitators = program.facilitators.filter(user__isnull=False).select_related("user")
    return [(f, f.user) for f in facilitators if f.user is not None]


def facilitators_notice(*, registration: Registration, event: str) -> None:
    """Tells each facilitator with an account that someone registered or cancelled.

    Name and email only: intake answers stay in the roster, behind a login.
    """
    program = registration.program
    seats_left = program_seats_left(program=program)
    confirmed = program.registrations.filter(status=Registration.Status.CONFIRMED).count()
    verb = "registered for" if event == "registered" else "cancelled"
    stay = program_stay(registration)
    for facilitator, account in facilitators_with_accounts(program):
        queue(
            kind=Kind.FACILITATORS_NOTICE,
            dedup_key=f"facilitators:{event}:{registration.pk}:{stay}:{account.pk}",
            recipient=account.email,
            language=FACILITATORS_LANGUAGE,
            subject=fixed(f"{registration.name} {verb} {program.title}"),
            template="facilitators_notice",
            context=fixed(
                {
                    "name": facilitator.name,
                    "event": event,
                    "participant_name": registration.name,
                    "participant_email": registration.email,
                    "program": program,
                    "confirmed_count": confirmed,
                    "seats_left": seats_left,
                    "roster_url": absolute(
                        reverse("facilitate:roster", kwargs={"slug": program.slug})
                    ),
                }
            ),
        )


def facilitators_switch(*, registration: Registration, source: Program, switch_id: int) -> None:
    """Tells the facilitators of both terms that a participant moved from `source` to the
    registration's program: one leaves a seat free, the other gains a participant."""
    target = registration.program
    for program, joined in ((source, False), (target, True)):
        seats_left = program_seats_left(program=program)
        for facilitator, account in facilitators_with_accounts(program):
            queue(
                kind=Kind.FACILITATORS_NOTICE,
                dedup_key=f"facilitators:switch:{switch_id}:{program.pk}:{account.pk}",
                recipient=account.email,
                language=FACILITATORS_LANGUAGE,
                subject=fixed(
                    f"{registration.name} moved {'to' if joined else 'from'} {program.title}"
                ),
                template="facilitators_switch",
                context=fixed(
                    {
                        "name": facilitator.name,
                        "joined": joined,
                        "participant_name": registration.name,
                        "participant_email": registration.email,
                        "program": program,
                        "other_program": source if joined else target,
                        "seats_left": seats_left,
                        "roster_url": absolute(
                            reverse("facilitate:roster", kwargs={"slug": program.slug})
                        ),
                    }
                ),
            )


def message_participants(*, program: Program, subject: str, body: str, sender) -> int:
    """A facilitator's message to every confirmed participant; returns how many.

    The same message sent twice on one day (a double click) goes out once.
    """
    sender_name = getattr(sender, "name", "")
    day = timezone.localdate().isoformat()
    digest = hashlib.sha256(
        f"{program.pk}\n{getattr(sender, 'pk', '')}\n{day}\n{subject}\n{body}".encode()
    ).hexdigest()[:16]
    participants = confirmed_participants(program)
    for registration in participants:
        _message_to(
            registration,
            program=program,
            subject=subject,
            body=body,
            sender_name=sender_name,
            digest=digest,
        )
    return len(participants)


def _message_to(
    registration: Registration,
    *,
    program: Program,
    subject: str,
    body: str,
    sender_name: str,
    digest: str,
) -> None:
    """The facilitator's words as they wrote them, around them the participant's language."""
    queue(
        kind=Kind.MESSAGE,
        dedup_key=f"message:{digest}:{registration.pk}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: f"{subject} ({program.title})",
        template="message",
        context=lambda: {
            "name": registration.name,
            "program": program,
            "program_url": program_url(program),
            "registration_url": registration_url(registration),
            "body": body,
            "sender_name": sender_name or _("your facilitator"),
        },
        registration=registration,
    )
