"""Registering: a new registration holds a seat (DESIGN rules 1 and 2)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailing import services as mailing
from mailing.models import Consent
from omwellness import languages
from omwellness.money import format_money
from programs.models import Agreement, PriceOption, Program, Question
from programs.translated import english
from registrations.accounts import user_for_email
from registrations.models import (
    Answer,
    Registration,
    WaitlistEntry,
    new_reference,
)

from .approval import application_received
from .availability import ensure_client_may_hold, ensure_open, program_lock
from .errors import (
    AlreadyRegistered,
    OfferInvalid,
    PriceUnavailable,
    SubmittedBefore,
)
from .holds import registration_confirm, seat_release
from .log import registration_log
from .terms import HOLD, amount_due, discount_for


@dataclass(frozen=True)
class RegistrationInput:
    name: str
    email: str
    phone: str
    price_option: PriceOption
    answers: dict[int, str]  # question id -> answer text
    discount_code: str = ""
    # The participant agreement the person accepted; None for the current version.
    agreement: Agreement | None = None
    # The unticked "Tell me about future programs" box, ticked (mailing.wording).
    future_programs: bool = False
    # The language the person registered in (omwellness.languages.of_request): their
    # emails are written in it and Stripe Checkout opens in it.
    language: str = languages.DEFAULT


def _live_offer(*, token: str, program: Program, email: str, now) -> WaitlistEntry | None:
    if not token:
        return None
    offer = WaitlistEntry.objects.select_for_update().filter(token=token, program=program).first()
    if offer is None or not offer.offer_is_live(now):
        raise OfferInvalid(_("This waitlist offer has expired or has been used."))
    if offer.email.lower() != email.lower():
        raise OfferInvalid(
            _("This offer is for %(email)s; please register with that email.")
            % {"email": offer.email}
        )
    return offer


def registration_create(
    *,
    program: Program,
    data: RegistrationInput,
    offer_token: str = "",
    user=None,
    questions: Sequence[Question] | None = None,
    client_hash: str = "",
    submission_key: str = "",
    now: datetime | None = None,
) -> Registration:
    """Holds a seat for a new registration, or confirms it at once when nothing is due.
    For a program that requires approval (and no waitlist offer), makes an application
    instead: no seat, no payment, until a facilitator decides (services/approval.py).

    Keeps DESIGN rule 1: the program row is locked, then seats are counted, so the
    last seat goes to exactly one person. The person's own lapsed holds, which this
    attempt replaces, are locked before the program (availability's lock order). The
    hold lasts as long as the Checkout Session that checkout_start() makes for it
    (rule 2). `client_hash` (from omwellness.client_ip) counts against the client's cap
    on live holds.

    `submission_key` makes the form's POST idempotent: when a registration already
    carries it, SubmittedBefore gives that registration back and nothing is made. It is
    decided under the program's lock, so two copies of one submission in flight at once
    make one registration.
    """
    now = now or timezone.now()
    _ensure_not_submitted(submission_key=submission_key)
    # Reads that need no lock happen before it, so the lock is held for as little as
    # possible: the seats count, the inserts and the commit.
    stale = []
    for existing in Registration.objects.active().filter(program=program, email__iexact=data.email):
        # Only a lapsed hold is replaced: a seat or an open application stays.
        if existing.hold_is_live(now) or existing.status != Registration.Status.PENDING:
            raise AlreadyRegistered(existing)
        stale.append(existing.pk)
    if user is None:
        user = user_for_email(data.email)
    if data.agreement is None:  # read before the lock, as the other reads
        data = replace(data, agreement=Agreement.current())
    try:
        with transaction.atomic():
            return _registration_create(
                program=program,
                data=data,
                offer_token=offer_token,
                user=user,
                questions=questions,
                stale=stale,
                client_hash=client_hash,
                submission_key=submission_key,
                now=now,
            )
    except IntegrityError as error:
        _ensure_not_submitted(submission_key=submission_key)
        active = (
            Registration.objects.active().filter(program=program, email__iexact=data.email).first()
        )
        if active is not None:
            raise AlreadyRegistered(active) from error
        raise


def _ensure_not_submitted(*, submission_key: str) -> None:
    if not submission_key:
        return
    earlier = Registration.objects.filter(submission_key=submission_key).first()
    if earlier is not None:
        raise SubmittedBefore(earlier)


def _registration_create(
    *, program, data, offer_token, user, questions, stale, client_hash, submission_key, now
) -> Registration:
    replaced = Registration.objects.select_for_update().filter(pk__in=stale).order_by("pk")
    for registration in replaced:
        if registration.status == Registration.Status.PENDING and not registration.hold_is_live(
            now
        ):
            # Its Checkout Sessions ended with the hold; its seat is the one taken now.
            seat_release(
                registration=registration,
                status=Registration.Status.EXPIRED,
                now=now,
                reason="replaced by a new attempt",
                offer_seat=False,
            )
    program = program_lock(program_id=program.pk, now=now)
    # Under the lock: a copy of this submission that got here first has committed.
    _ensure_not_submitted(submission_key=submission_key)
    offer = _live_offer(token=offer_token, program=program, email=data.email, now=now)
    # A waitlist offer already holds a seat: whoever was offered it goes on to pay.
    applying = program.requires_approval and offer is None
    ensure_open(program=program, now=now, offer=offer, applying=applying)
    if offer is None and not applying:  # an offer's seat is held for this person already
        ensure_client_may_hold(program=program, client_hash=client_hash, now=now)
    if data.price_option.program_id != program.pk or not data.price_option.is_available(now):
        raise PriceUnavailable(_("That price is no longer available; please choose another."))
    discount = discount_for(code=data.discount_code, program=program, now=now)
    due = amount_due(price_option=data.price_option, discount=discount, program=program)
    amount = due.total_cents

    registration = _registration_insert(
        program=program,
        user=user,
        name=data.name.strip(),
        email=data.email.strip(),
        phone=data.phone.strip(),
        price_option=data.price_option,
        price_label=english(data.price_option, "label"),
        language=languages.supported(data.language),
        amount_due_cents=amount,
        tax_cents=due.tax_cents,
        discount_code=discount,
        status=Registration.Status.APPLIED if applying else Registration.Status.PENDING,
        hold_expires_at=None if applying else now + HOLD,
        agreed_to_policy_at=now,
        agreement=data.agreement,
        created_at=now,
        client_hash=client_hash,
        submission_key=submission_key or None,
    )
    if questions is None:
        questions = Question.objects.filter(program=program)
    questions = {q.pk: q for q in questions if q.program_id == program.pk}
    Answer.objects.bulk_create(
        Answer(
            registration=registration,
            question=questions[question_id],
            question_text=english(questions[question_id], "text"),
            sensitive=questions[question_id].sensitive,
            value=value,
        )
        for question_id, value in data.answers.items()
        if question_id in questions
    )
    if offer is not None:
        offer.status = WaitlistEntry.Status.ACCEPTED
        offer.save(update_fields=["status"])
    if data.future_programs:
        # With the registration, and confirmed with it (registration_confirm).
        mailing.consent_give(
            given=mailing.ConsentGiven(
                email=registration.email,
                name=registration.name,
                source=Consent.Source.REGISTRATION,
                program=program,
                reference=registration.reference,
                language=registration.language,
            ),
            now=now,
        )
    if applying:
        application_received(registration=registration, now=now)
        return registration
    registration_log(
        registration=registration,
        action="created",
        message=f"{registration.price_label}, {format_money(amount)} due"
        + (f", code {discount.code}" if discount else "")
        + (", from a waitlist offer" if offer else ""),
    )
    if amount == 0:
        registration_confirm(registration=registration, now=now, reason="nothing due")
    return registration


# Five characters from 31 give 28 million references; a repeat is rare but possible, and
# must cost a second try rather than the person's registration.
REFERENCE_ATTEMPTS = 5


def _registration_insert(**fields) -> Registration:
    """Registration.objects.create(), with a fresh reference when the drawn one is taken.

    Each try runs in its own savepoint, so a collision leaves the surrounding transaction
    (and the program lock) usable. Any other integrity error (the one active registration
    per address and program) rises to the caller as before.
    """
    attempts_left = REFERENCE_ATTEMPTS
    while True:
        reference = new_reference()
        try:
            with transaction.atomic():
                return Registration.objects.create(reference=reference, **fields)
        except IntegrityError:
            attempts_left -= 1
            if not attempts_left or not Registration.objects.filter(reference=reference).exists():
                raise
