"""What an applicant and the program's facilitators are told about an application
(services/approval.py). Intake answers never reach these emails: facilitators read
them in /facilitate/, behind their sign-in."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omwellness.money import format_money
from registrations.models import Registration, WaitlistEntry

from .compose import (
    FACILITATORS_LANGUAGE,
    Kind,
    fixed,
    queue,
    registration_context,
    sessions_of,
    when,
)
from .facilitators import facilitators_with_accounts
from .links import absolute

# Headings of the applicant's email, by step; the templates say the rest.
SUBJECTS = {
    Kind.APPLICATION_RECEIVED: gettext_lazy("We received your application"),
    Kind.APPLICATION_APPROVED: gettext_lazy("You're approved: please pay to keep your seat"),
    Kind.APPLICATION_WAITLISTED: gettext_lazy("You're approved, and on the waitlist"),
    Kind.APPLICATION_DECLINED: gettext_lazy("About your application"),
    Kind.APPLICATION_CALL_FIRST: gettext_lazy("A facilitator will call you"),
    Kind.APPROVAL_LAPSED: gettext_lazy("Your approved seat was not kept"),
}


def _to_applicant(*, registration: Registration, kind: str, **context) -> None:
    program = registration.program
    queue(
        kind=kind,
        # One of each step per application (the stale-hold job may meet a renewed hold
        # of the same approval again: the person hears of the lapse once).
        dedup_key=f"{kind}:{registration.pk}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("%(heading)s: %(program)s (%(reference)s)")
            % {
                "heading": SUBJECTS[kind],
                "program": program.title,
                "reference": registration.reference,
            }
        ),
        template="application",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "step": kind,
            "heading": str(SUBJECTS[kind]),
            "hold_expires": when(registration.hold_expires_at),
            "amount_due": format_money(registration.amount_due_cents),
            **_entry_link(context),
        },
        registration=registration,
    )


def _entry_link(context: dict) -> dict:
    """The waitlist entry's page, addressed in the language the email is written in."""
    rest = {key: value for key, value in context.items() if key != "entry"}
    if "entry" not in context:
        return rest
    url = absolute(reverse("registrations:waitlist_entry", args=[context["entry"].token]))
    return {**rest, "entry_url": url}


def application_received(*, registration: Registration) -> None:
    _to_applicant(registration=registration, kind=Kind.APPLICATION_RECEIVED)


def application_approved(*, registration: Registration) -> None:
    _to_applicant(registration=registration, kind=Kind.APPLICATION_APPROVED)


def application_waitlisted(*, registration: Registration, entry: WaitlistEntry) -> None:
    _to_applicant(registration=registration, kind=Kind.APPLICATION_WAITLISTED, entry=entry)


def application_declined(*, registration: Registration, message: str) -> None:
    _to_applicant(registration=registration, kind=Kind.APPLICATION_DECLINED, message=message)


def application_call_first(*, registration: Registration) -> None:
    _to_applicant(registration=registration, kind=Kind.APPLICATION_CALL_FIRST)


def approval_lapsed(*, registration: Registration) -> None:
    _to_applicant(registration=registration, kind=Kind.APPROVAL_LAPSED)


def application_to_facilitators(*, registration: Registration) -> None:
    """Each facilitator with an account: who applied, and the link to the applications.
    Name only: the person's answers, some about health, stay behind the sign-in."""
    program = registration.program
    url = absolute(reverse("facilitate:applications", kwargs={"slug": program.slug}))
    for facilitator, account in facilitators_with_accounts(program):
        queue(
            kind=Kind.APPLICATION_TO_FACILITATORS,
            dedup_key=f"{Kind.APPLICATION_TO_FACILITATORS}:{registration.pk}:{account.pk}",
            recipient=account.email,
            # The facilitators' emails are in English, like their area of the site.
            language=FACILITATORS_LANGUAGE,
            subject=fixed(f"New application for {program.title}"),
            template="application_facilitators",
            context=fixed(
                {
                    "name": facilitator.name,
                    "participant_name": registration.name,
                    "program": program,
                    "applications_url": url,
                }
            ),
        )
