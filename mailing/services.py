"""Consent and the list: giving, confirming and withdrawing consent, and sending.

Lock order (after registrations' own, availability.py, when called from a registration):
a subscriber, then its consents, then a marketing email. Every path here follows it.

- A consent from a program page's form waits for the address's owner to confirm it by
  the emailed link (double opt-in). One given on the registration form is confirmed
  with the registration (paid, or nothing due): see `consent_confirm_for_registration`.
- Withdrawing is immediate and complete: every consent of the address, and its
  marketing emails still waiting in the outbox. Transactional emails are other kinds
  and never looked at.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from omwellness import languages
from omwellness.models import Centre
from outbox import services as outbox
from programs.models import Program
from programs.schedule import long_day

from . import emails, selectors
from .models import Consent, MarketingEmail, Subscriber
from .wording import CONSENT_WORDING, consent_wording

UNSUBSCRIBED_BEFORE_SENDING = "Not sent: the address unsubscribed before it left."


@dataclass(frozen=True)
class ConsentGiven:
    email: str
    source: str  # Consent.Source
    name: str = ""
    program: Program | None = None
    reference: str = ""  # the registration's, for a consent given with one
    wording: str = CONSENT_WORDING
    # The language the form was filled in: the subscriber's news come in it.
    language: str = languages.DEFAULT


def consent_give(*, given: ConsentGiven, now: datetime | None = None) -> Consent:
    """Records a consent as given. From a public form it asks the owner to confirm it by
    email; the answer to the form is the same whether the address was on the list or
    not, and the email is what tells the owner (never the page)."""
    now = now or timezone.now()
    email = given.email.strip()
    with transaction.atomic():
        subscriber = _subscriber_locked(
            email=email, name=given.name, language=languages.supported(given.language), now=now
        )
        consent = Consent.objects.create(
            subscriber=subscriber,
            email=email,
            name=given.name,
            # The site's own wording is kept in the language the person read it in.
            wording=consent_wording() if given.wording == CONSENT_WORDING else given.wording,
            source=given.source,
            program=given.program,
            reference=given.reference,
            given_at=now,
        )
        if given.source != Consent.Source.REGISTRATION:
            emails.consent_confirm(consent=consent)
    return consent


def _subscriber_locked(*, email: str, name: str, language: str, now: datetime) -> Subscriber:
    """The address's one row, made if new, locked; two forms at once make one row.
    The language is the latest form's: the one the person reads the site in now."""
    Subscriber.objects.bulk_create(
        [Subscriber(email=email, name=name, language=language, created_at=now)],
        ignore_conflicts=True,
    )
    subscriber = Subscriber.objects.select_for_update().get(email__iexact=email)
    changed = []
    if name and not subscriber.name:
        subscriber.name = name
        changed.append("name")
    if subscriber.language != language:
        subscriber.language = language
        changed.append("language")
    if changed:
        subscriber.save(update_fields=changed)
    return subscriber


def consent_confirm(*, token: str, now: datetime | None = None) -> Consent | None:
    """The emailed link, followed: the consent counts from now. None for a token that is
    not a consent's, or one withdrawn since (unsubscribing wins over an older link)."""
    consent = Consent.objects.filter(confirm_token=token).first()
    if consent is None:
        return None
    with transaction.atomic():
        confirmed = _confirm(consents=[consent.pk], subscriber_id=consent.subscriber_id, now=now)
    return confirmed[0] if confirmed else None


def consent_confirm_for_registration(*, reference: str, now: datetime | None = None) -> int:
    """Confirms what was ticked on the registration form, once the registration is
    confirmed (registrations calls this inside that transaction). A stranger who typed
    someone's address on the form would have to pay for a seat to put them on the list."""
    pending = list(
        Consent.objects.filter(
            reference=reference,
            source=Consent.Source.REGISTRATION,
            confirmed_at__isnull=True,
            withdrawn_at__isnull=True,
        ).values_list("pk", "subscriber_id")
    )
    confirmed = 0
    for consent_id, subscriber_id in pending:
        confirmed += len(_confirm(consents=[consent_id], subscriber_id=subscriber_id, now=now))
    return confirmed


def _confirm(*, consents: list[int], subscriber_id: int, now: datetime | None) -> list[Consent]:
    now = now or timezone.now()
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    confirmed = []
    for consent in Consent.objects.select_for_update().filter(pk__in=consents).order_by("pk"):
        if consent.withdrawn_at is not None:
            continue
        if consent.confirmed_at is None:
            consent.confirmed_at = now
            consent.save(update_fields=["confirmed_at"])
        confirmed.append(consent)
    if confirmed and not subscriber.is_reachable:
        subscriber.confirmed_at = now
        subscriber.withdrawn_at = None
        subscriber.save(update_fields=["confirmed_at", "withdrawn_at"])
    return confirmed


def unsubscribe(*, token: str, now: datetime | None = None) -> Subscriber | None:
    """Off the list at once: every consent of the address withdrawn, and its marketing
    emails not yet sent stopped. Safe to repeat. None for a token that is no one's."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
        if subscriber is None:
            return None
        if subscriber.withdrawn_at is None:
            subscriber.withdrawn_at = now
            subscriber.save(update_fields=["withdrawn_at"])
        subscriber.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
        outbox.queued_withdraw(
            kind=emails.Kind.MARKETING,
            recipient=subscriber.email,
            reason=UNSUBSCRIBED_BEFORE_SENDING,
        )
    return subscriber


class AlreadySent(Exception):
    pass


def marketing_send(
    *, email_id: int, by: AbstractBaseUser | None = None, now: datetime | None = None
) -> int:
    """Writes the email to the outbox for everyone in its audience now, once; returns how
    many were written. A second call raises AlreadySent."""
    now = now or timezone.now()
    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email_id)
        if email.sent_at is not None:
            raise AlreadySent(f"“{email.subject}” was sent on {long_day(email.sent_at)}.")
        sender = Centre.current()  # every footer's, read once for the batch
        next_term = _announced(email)
        drafts = [
            emails.marketing_draft(
                email=email, subscriber=subscriber, sender=sender, next_term=next_term
            )
            for subscriber in selectors.audience(email=email)
        ]
        written = outbox.write_many(drafts, now=now)
        email.sent_at = now
        email.sent_by = by if by is not None and by.pk else None  # type: ignore[assignment]
        email.recipient_count = len(written)
        email.save(update_fields=["sent_at", "sent_by", "recipient_count"])
    return len(written)


class NothingToAnnounce(Exception):
    pass


def next_term_announce(
    *, program: Program, by: AbstractBaseUser | None = None, now: datetime | None = None
) -> MarketingEmail:
    """Tells the program's past participants who consented that its next term is
    published: one email each, once (a second call raises AlreadySent)."""
    next_term = (
        Program.objects.with_dates().filter(pk=program.next_term_id).first()
        if program.next_term_id
        else None
    )
    if next_term is None or next_term.status != Program.Status.PUBLISHED:
        raise NothingToAnnounce(f"“{program.title}” has no published next term to announce.")
    subject, body = emails.next_term_words(program=program, next_term=next_term)
    email, _created = MarketingEmail.objects.get_or_create(
        program=program,
        next_term=next_term,
        defaults={
            "audience": MarketingEmail.Audience.PARTICIPANTS,
            # What the admin lists; each subscriber's copy is written in their language.
            "subject": subject,
            "body": body,
            "created_by": by if by is not None and by.pk else None,
        },
    )
    marketing_send(email_id=email.pk, by=by, now=now)
    email.refresh_from_db()
    return email


def _announced(email: MarketingEmail) -> tuple[Program, Program] | None:
    """The program and next term the site's own announcement is about, read once for
    every subscriber's copy; None for an email staff wrote."""
    program = email.program
    if email.next_term_id is None or program is None:
        return None
    return program, Program.objects.with_dates().get(pk=email.next_term_id)
