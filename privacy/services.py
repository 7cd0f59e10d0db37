"""Deletion requests: asked by the person, completed by staff with one admin action."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.models import Centre
from programs.models import Facilitator
from registrations import emails, services
from registrations.models import WaitlistEntry

from .erasure import (
    ERASED_NAME,
    certificates_erase,
    emails_erase,
    news_consents_erase,
    registration_erase,
    waitlist_entries_erase,
)
from .export import Person, emails_to, owned_registrations, owned_waitlist_entries
from .models import DeletionRequest

logger = logging.getLogger(__name__)

DELETION_DONE = "privacy_deletion_done"


class DeletionBlocked(Exception):
    """The person still holds a seat in a program not yet over: cancel it first."""


def deletion_request(*, user, now: datetime | None = None) -> DeletionRequest:
    """The person's open request, made now if they have none. Asking twice is one request."""
    existing = DeletionRequest.objects.filter(user=user, completed_at__isnull=True).first()
    if existing is not None:
        return existing
    person = Person.of(user)
    addresses = sorted({user.email.lower(), *person.emails})
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(
                user=user,
                email=user.email,
                emails="\n".join(addresses),
                requested_at=now or timezone.now(),
            )
    except IntegrityError:  # the same person asked twice at once: one open request
        return DeletionRequest.objects.get(user=user, completed_at__isnull=True)


def deletion_complete(*, request_id: int, actor, now: datetime | None = None) -> DeletionRequest:
    """Erases what may be erased, keeps what the law requires, tells the person.

    Idempotent: a completed request is returned as it is. Refuses (DeletionBlocked)
    while the person holds a seat in a program not yet over: staff cancel it first (with
    the refund the policy gives), then complete the request.
    """
    now = now or timezone.now()
    centre = Centre.current()
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request_id)
        if not request.is_open:
            return request
        person = Person(user=request.user, emails=tuple(request.address_list))
        registrations = list(owned_registrations(person).order_by("pk"))
        # Read before the account and registrations are erased: the last email is in it.
        language = _language_of(request, registrations)
        erased = sum(
            registration_erase(
                registration_id=r.pk,
                reason="deletion request",
                now=now,
                centre=centre,
                actor=actor,
            )
            for r in registrations
        )
        remaining = owned_registrations(person).filter(erased_at__isnull=True)
        blocking = sorted(remaining.values_list("reference", flat=True))
        if blocking:
            raise DeletionBlocked(
                "Still registered for a program not yet over: "
                + ", ".join(blocking)
                + ". Cancel these registrations first, then complete the request."
            )
        entries = owned_waitlist_entries(person)
        for entry in entries.filter(status__in=WaitlistEntry.ACTIVE_STATUSES):
            services.waitlist_leave(entry=entry)
        left = waitlist_entries_erase(entries)
        news = news_consents_erase(person.emails, now=now)
        certificates = certificates_erase([r.pk for r in registrations], now=now)
        kept_names = owned_registrations(person).exclude(name=ERASED_NAME).count()
        account = _account_delete(request.user)
        if request.user is not None and request.user.pk is None:  # deleted just now
            request.user = None
        request.completed_at = now
        request.completed_by = actor
        request.outcome = _outcome(
            registrations=erased,
            waitlist=left,
            news=news,
            certificates=certificates,
            kept_names=kept_names,
            account=account,
            years=centre.financial_records_years,
        )
        request.save(update_fields=["completed_at", "completed_by", "outcome"])
        # Written before the other emails are erased, and kept: the record that the
        # person was told. The earlier emails to them lose their text and address.
        _tell_the_person(
            request, kept_names=kept_names, years=centre.financial_records_years, language=language
        )
        emails_erase(emails_to(person).exclude(kind=DELETION_DONE))
    logger.info("deletion request %s completed: %s", request.pk, request.outcome)
    return request


def _account_delete(user) -> str:
    if user is None:
        return "no account"
    if user.is_staff or Facilitator.objects.filter(user=user).exists():
        # Staff and facilitators' accounts are how they work here; a superuser decides.
        return "account kept: it belongs to staff or a facilitator"
    user.delete()
    return "account deleted"


def _outcome(
    *,
    registrations: int,
    waitlist: int,
    news: int,
    certificates: int,
    kept_names: int,
    account: str,
    years: int,
):
    lines = [
        f"Registrations erased: {registrations}.",
        f"Waitlist entries erased: {waitlist}.",
        f"News subscriptions ended and erased: {news}.",
        f"Certificates revoked and erased: {certificates}.",
        f"{account.capitalize()}.",
        "Kept: payments and refunds (amounts and dates) as financial records.",
    ]
    if kept_names:
        lines.append(
            f"Kept: the name on {kept_names} paid registration(s), for their receipts, "
            f"until {years} years after the end of the year of payment."
        )
    return "\n".join(lines)


def _language_of(request: DeletionRequest, registrations: list) -> str:
    """The person's language: their account's, else their latest registration's."""
    if request.user is not None:
        return request.user.language
    return registrations[-1].language if registrations else ""


def _tell_the_person(
    request: DeletionRequest, *, kept_names: int, years: int, language: str
) -> None:
    emails.queue(
        kind=DELETION_DONE,
        dedup_key=f"privacy-deletion-done-{request.pk}",
        recipient=request.email,
        language=language,
        subject=lambda: _("We have deleted your personal data"),
        template=DELETION_DONE,
        context=lambda: {
            "requested_at": request.requested_at,
            "kept_names": kept_names,
            "years": years,
        },
    )
