"""Reads about registrations: what "My registrations" shows (DESIGN rule 8); seats taken
are counted in `registrations.seats`. Writes live in services/; the facilitator portal's
reads are in `facilitate.selectors`.

Who sees what in "My registrations":

- A participant sees a registration (or waitlist entry) when its `user` is them, or
  when its email is one of their *verified* addresses. Both, because the link in
  `registrations.accounts` is made at verification and sign-in, and matching on the
  verified address as well means nothing made in between is ever out of sight. A
  person with no verified address sees nothing: verification comes first.
- Staff see what their Django permissions grant (`registrations.permissions`); the
  staff flag alone shows nothing.

Anything else is reported as missing (the views answer 404, never 403). Every page
reads in a number of queries that does not grow with the number of rows. Whether a
request acts through its account or as a browser that opened an emailed link is
decided in `registrations.access`.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailing.models import Consent
from programs.models import Agreement, Program, Question, Session

from . import permissions
from .accounts import verified_emails
from .amount_paid import AmountPaid
from .models import Answer, Payment, Registration, RegistrationLog, WaitlistEntry


@dataclass(frozen=True)
class RefillAnswers:
    values: dict[str, str | bool]  # form field name -> answer, for the registration form's initial
    left_out: int  # sensitive answers not kept


def answers_to_refill(*, registration: Registration) -> RefillAnswers:
    """The answers to keep in the session when someone leaves Stripe Checkout and comes
    back to the form: the non-sensitive answers to the program's own questions only.

    Health answers never go into the session store, which outlives the registration and is
    not protected as the answers are (DESIGN rule 10); the person types them again.
    """
    answers = Answer.objects.filter(
        registration=registration, question__program_id=registration.program_id
    ).values_list("question_id", "value", "sensitive", "question__sensitive")
    values: dict[str, str | bool] = {}
    left_out = 0
    for question_id, value, sensitive, question_sensitive in answers:
        if sensitive or question_sensitive:
            left_out += 1
        else:
            values[f"q_{question_id}"] = value
    # The two boxes the person ticked themselves stay ticked (a consent given with this
    # registration, not assumed); the agreement only while its version is still current.
    values["agree"] = registration.agreement_id == Agreement.current().pk
    values["future_programs"] = Consent.objects.filter(
        reference=registration.reference, source=Consent.Source.REGISTRATION
    ).exists()
    return RefillAnswers(values=values, left_out=left_out)


def payment_was_refused(*, registration: Registration, checkout_session_id: str) -> bool:
    """Whether the money taken in this session was refused and refunded (fulfilment.py)."""
    return registration.payments.filter(
        checkout_session_id=checkout_session_id, status=Payment.Status.REFUSED
    ).exists()


# --- participants -------------------------------------------------------------------


def _owned_filter(*, user) -> Q | None:
    """The rows a participant owns, or None when they own nothing yet."""
    emails = verified_emails(user=user)
    if not emails:
        return None
    return Q(user=user) | Q(email_lower__in=emails)


def _with_schedule_and_payments(queryset: QuerySet) -> QuerySet:
    # "certificate": the certificates app's one-to-one, by its relation name (the
    # download link of "My registrations"), read in the same query.
    return queryset.select_related(
        "program__next_term", "price_option", "certificate"
    ).prefetch_related(
        Prefetch("program__sessions", queryset=Session.objects.order_by("starts_at")),
        Prefetch("payments", queryset=Payment.objects.order_by("created_at")),
        # The receipts app's numbered receipts and credit notes, by their relation name.
        "receipts",
    )


@dataclass(frozen=True)
class ReceiptLink:
    """A numbered receipt or credit note of the registration, as its pages list it."""

    number: int
    label: str  # "Receipt 000042", "Credit note 000043"
    total_cents: int
    is_credit_note: bool
    issued_at: datetime


def _receipt_links(registration: Registration) -> tuple[ReceiptLink, ...]:
    documents = sorted(registration.receipts.all(), key=lambda document: document.number)
    return tuple(
        ReceiptLink(
            number=document.number,
            label=str(document),  # "Receipt 000042"
            total_cents=document.total_cents,
            is_credit_note=document.is_credit_note,
            issued_at=document.transaction_date,
        )
        for document in documents
    )


@dataclass(frozen=True)
class RegistrationView:
    """What a participant's pages show of one registration: the row itself and the
    facts derived from its schedule and payments (read from prefetched rows only)."""

    registration: Registration
    sessions: tuple[Session, ...]
    starts_at: datetime | None
    ends_at: datetime | None
    is_past: bool
    paid_payments: tuple[Payment, ...]
    amount_paid: AmountPaid
    paid_at: datetime | None
    can_continue_payment: bool
    shows_meeting_link: bool
    has_receipt: bool
    can_cancel: bool
    # The term "My registrations" offers to switch to, within the program's window; the
    # switch page checks the rest (seats, registration open) under the lock.
    switch_to: Program | None
    receipts: tuple[ReceiptLink, ...] = ()


def switch_target(registration: Registration, starts_at: datetime | None, now) -> Program | None:
    """The program's next term, while this registration may move there by itself."""
    program, deadline = registration.program, None
    target = program.next_term
    if starts_at is not None:
        deadline = program.switch_deadline(starts_at)
    if (
        registration.status != Registration.Status.CONFIRMED
        or target is None
        or target.status != Program.Status.PUBLISHED
        or deadline is None
        or now >= deadline
    ):
        return None
    return target


def _registration_view(registration: Registration, now: datetime) -> RegistrationView:
    sessions = tuple(registration.program.sessions.all())
    ends_at = sessions[-1].ends_at if sessions else None
    is_past = ends_at is not None and ends_at <= now
    paid = tuple(p for p in registration.payments.all() if p.status == Payment.Status.PAID)
    amount_paid = registration.amount_paid
    return RegistrationView(
        registration=registration,
        sessions=sessions,
        starts_at=sessions[0].starts_at if sessions else None,
        ends_at=ends_at,
        is_past=is_past,
        paid_payments=paid,
        amount_paid=amount_paid,
        paid_at=max((p.paid_at for p in paid if p.paid_at), default=None),
        can_continue_payment=registration.hold_is_live(now),
        shows_meeting_link=bool(
            registration.status == Registration.Status.CONFIRMED
            and registration.program.is_online
            and registration.program.meeting_link
        ),
        has_receipt=registration.status
        in {
            Registration.Status.CONFIRMED,
            Registration.Status.CANCELLED,
            Registration.Status.REFUNDED,
        }
        and (amount_paid.gross_cents > 0 or registration.amount_due_cents == 0),
        can_cancel=registration.is_active and not is_past,
        switch_to=switch_target(registration, sessions[0].starts_at if sessions else None, now),
        receipts=_receipt_links(registration),
    )


@dataclass(frozen=True)
class WaitingView:
    entry: WaitlistEntry
    place_in_line: int | None  # 1 = next to be offered a seat; None unless waiting


@dataclass(frozen=True)
class MyRegistrations:
    upcoming: list[RegistrationView]
    past: list[RegistrationView]
    waitlist: list[WaitingView]
    verified: bool


def my_registrations(*, user, now: datetime | None = None) -> MyRegistrations:
    """A participant's registrations: active ones for programs not yet over first (by
    start), then past, cancelled and expired ones (most recent first); and the
    waitlist entries still on the waitlist, confirmed or not."""
    now = now or timezone.now()
    owned = _owned_filter(user=user)
    if owned is None:
        return MyRegistrations(upcoming=[], past=[], waitlist=[], verified=False)
    registrations = [
        _registration_view(registration, now)
        for registration in _with_schedule_and_payments(
            Registration.objects.annotate(email_lower=Lower("email")).filter(owned)
        )
    ]
    upcoming = [r for r in registrations if r.registration.is_active and not r.is_past]
    past = [r for r in registrations if not (r.registration.is_active and not r.is_past)]
    upcoming.sort(key=lambda r: (r.starts_at is None, r.starts_at or now))
    past.sort(key=lambda r: r.starts_at or r.registration.created_at, reverse=True)
    waitlist = [
        WaitingView(entry=entry, place_in_line=entry.place_in_line)
        for entry in WaitlistEntry.objects.with_place_in_line()
        .annotate(email_lower=Lower("email"))
        .filter(owned, status__in=WaitlistEntry.ACTIVE_STATUSES)
        .select_related("program")
        .prefetch_related(
            Prefetch("program__sessions", queryset=Session.objects.order_by("starts_at"))
        )
    ]
    return MyRegistrations(upcoming=upcoming, past=past, waitlist=waitlist, verified=True)


def _registrations_visible_to(*, user) -> QuerySet:
    """Every registration `user` may see through their account: their own, or all for
    staff allowed to view registrations."""
    queryset = Registration.objects.annotate(email_lower=Lower("email"))
    if user.has_perm(permissions.VIEW_REGISTRATION):
        return queryset
    owned = _owned_filter(user=user)
    return queryset.filter(owned) if owned is not None else queryset.none()


def registration_for_user(
    *, user, reference: str, now: datetime | None = None
) -> RegistrationView | None:
    """One registration its owner, or staff allowed to view registrations, may see;
    None for anyone else."""
    queryset = _registrations_visible_to(user=user).filter(reference=reference)
    registration = _with_schedule_and_payments(queryset).first()
    return _registration_view(registration, now or timezone.now()) if registration else None


def registration_is_owned_by(*, user, registration: Registration) -> bool:
    """Whether the registration is the user's own rather than one their permissions open."""
    owned = _owned_filter(user=user)
    return owned is not None and (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(owned, pk=registration.pk)
        .exists()
    )


def registration_with_details(
    *, reference: str, now: datetime | None = None
) -> RegistrationView | None:
    """One registration with what its pages show, for a caller that has checked access
    (`registrations.access`)."""
    registration = _with_schedule_and_payments(
        Registration.objects.filter(reference=reference)
    ).first()
    return _registration_view(registration, now or timezone.now()) if registration else None


def _token_matches(expected: str, token: str) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters, and a link may carry any.
    return secrets.compare_digest(expected.encode(), token.encode())


def registration_token_matches(*, reference: str, token: str) -> bool:
    """Whether `token` is the access token of the registration an emailed link names."""
    if not token:
        return False
    expected = (
        Registration.objects.filter(reference=reference)
        .values_list("access_token", flat=True)
        .first()
    )
    return expected is not None and _token_matches(expected, token)


def waitlist_entry_for_user(*, user, pk: int) -> WaitlistEntry | None:
    """One entry its owner may see and leave; staff need to be allowed to change entries,
    since the only page for it takes someone off the waitlist."""
    queryset = WaitlistEntry.objects.annotate(email_lower=Lower("email")).select_related("program")
    if not user.has_perms(permissions.LEAVE_ANY_WAITLIST):
        owned = _owned_filter(user=user)
        if owned is None:
            return None
        queryset = queryset.filter(owned)
    return queryset.filter(pk=pk).first()


def waitlist_entry(*, pk: int) -> WaitlistEntry | None:
    """One waitlist entry, for a caller that has checked access (`registrations.access`)."""
    return WaitlistEntry.objects.select_related("program").filter(pk=pk).first()


def waitlist_entry_token_matches(*, pk: int, token: str) -> bool:
    """Whether `token` is the token of the waitlist entry a leave link names."""
    if not token:
        return False
    expected = WaitlistEntry.objects.filter(pk=pk).values_list("token", flat=True).first()
    return expected is not None and _token_matches(expected, token)


# --- intake answers after registering -------------------------------------------------


@dataclass(frozen=True)
class IntakeAnswers:
    questions: list[Question]
    given: dict[str, str]  # form field name -> the answer stored, for the form's initial


def intake_answers(*, registration: Registration) -> IntakeAnswers:
    """The questions of the registration's own program and the answers already given to
    them; answers to any other program's questions are never read here (DESIGN rule 10)."""
    questions = list(Question.objects.filter(program_id=registration.program_id))
    given = {
        f"q_{question_id}": value
        for question_id, value in Answer.objects.filter(
            registration=registration, question__program_id=registration.program_id
        ).values_list("question_id", "value")
    }
    return IntakeAnswers(questions=questions, given=given)


# --- applications ---------------------------------------------------------------------

# The log's screening steps as the applicant reads them (services/approval.py writes them).
APPLICATION_STEP_LABELS = {
    RegistrationLog.APPLIED: _("Application received"),
    RegistrationLog.CALL_FIRST: _("A facilitator will call you"),
    RegistrationLog.APPROVED: _("Approved: seat held for you to pay"),
    RegistrationLog.APPROVED_WAITLISTED: _("Approved: on the waitlist (the program was full)"),
    RegistrationLog.DECLINED: _("Application declined"),
    RegistrationLog.APPROVAL_LAPSED: _("Approval lapsed: the seat was not paid in time"),
    RegistrationLog.CONFIRMED: _("Paid and confirmed"),
    "cancelled": _("Cancelled"),
}


@dataclass(frozen=True)
class ApplicationStep:
    label: str
    at: datetime


def application_steps(*, registration: Registration) -> tuple[ApplicationStep, ...]:
    """Each step of a registration that began as an application, with its date, from
    its log; empty for one that did not."""
    entries = list(
        registration.log.filter(action__in=APPLICATION_STEP_LABELS).values_list(
            "action", "created_at"
        )
    )
    if not any(action == RegistrationLog.APPLIED for action, _at in entries):
        return ()
    return tuple(
        ApplicationStep(label=str(APPLICATION_STEP_LABELS[action]), at=at) for action, at in entries
    )
