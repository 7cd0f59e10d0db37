"""Every email the site sends, written to the outbox (DESIGN rule 5).

What each email says. Each function is called inside the transaction that makes
the change and writes its email(s) through the outbox's one writer
(outbox.services.write), idempotent by dedup key, which sends them once that
transaction commits. Each email about a registration carries its reference. Bodies
are rendered now, from templates/emails/<name>.txt and .html, so what was sent is
what the admin shows. Each is written in its reader's language, the one stored on
their registration or waitlist entry (`queue(language=...)`); facilitators' emails stay
in English. Sensitive intake answers never reach an email.

Split by audience: participants (their registration, a schedule change), waitlist and
facilitators; compose holds how an email is written, links the addresses emails carry.
Callers use the names below, from `registrations.emails`.
"""

from .approval import (
    application_approved,
    application_call_first,
    application_declined,
    application_received,
    application_to_facilitators,
    application_waitlisted,
    approval_lapsed,
)
from .compose import (
    FACILITATORS_LANGUAGE,
    ICS_MIMETYPE,
    Kind,
    calendar_attachment,
    fixed,
    participant_meeting_link,
    program_stay,
    queue,
    when,
)
from .facilitators import facilitators_notice, facilitators_switch, message_participants
from .links import (
    absolute,
    answers_url,
    cancel_url,
    my_registrations_url,
    program_url,
    registration_url,
)
from .minimum import minimum_decision, program_cancelled
from .participants import (
    answers_request,
    cancellation,
    confirmation,
    late_payment_refunded,
    payment_failed,
    refund,
    registration_link,
    schedule_change,
)
from .waitlist import (
    waitlist_confirm,
    waitlist_joined,
    waitlist_link,
    waitlist_offer,
    waitlist_offer_expired,
)

__all__ = [
    "FACILITATORS_LANGUAGE",
    "ICS_MIMETYPE",
    "Kind",
    "absolute",
    "answers_request",
    "answers_url",
    "application_approved",
    "application_call_first",
    "application_declined",
    "application_received",
    "application_to_facilitators",
    "application_waitlisted",
    "approval_lapsed",
    "calendar_attachment",
    "cancel_url",
    "cancellation",
    "confirmation",
    "facilitators_notice",
    "facilitators_switch",
    "fixed",
    "late_payment_refunded",
    "message_participants",
    "minimum_decision",
    "my_registrations_url",
    "participant_meeting_link",
    "payment_failed",
    "program_stay",
    "program_cancelled",
    "program_url",
    "queue",
    "refund",
    "registration_link",
    "registration_url",
    "schedule_change",
    "waitlist_confirm",
    "waitlist_joined",
    "waitlist_link",
    "waitlist_offer",
    "waitlist_offer_expired",
    "when",
]
