"""The waitlist: first come, first offered (DESIGN: seats freed go to the next person)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from omwellness import languages
from programs.models import Program
from registrations import emails
from registrations.accounts import user_for_email
from registrations.models import WaitlistEntry

from .availability import program_lock, seats_free


def waitlist_join(
    *, program: Program, name: str, email: str, language: str = languages.DEFAULT, now=None
) -> WaitlistEntry:
    """Puts an address on the waitlist, unconfirmed until its owner opens the emailed link.

    Whether or not the address is on the waitlist already, the person at the form is
    told the same thing ("check your email"), so the form reveals nobody: a new entry is
    sent its confirmation link, an existing one its owner's link (the confirmation link
    again while it is unconfirmed). Returns the entry, new or existing.

    The entry belongs to the account that has verified the address, if any, never to
    whoever happened to be signed in: that person may have typed someone else's address.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                program=program,
                name=name.strip(),
                email=email.strip(),
                user=user_for_email(email),
                language=languages.supported(language),
                status=WaitlistEntry.Status.UNCONFIRMED,
                created_at=now,
            )
            emails.waitlist_confirm(entry=entry, now=now)
            return entry
    except IntegrityError:
        existing = WaitlistEntry.objects.filter(
            program=program, email__iexact=email.strip(), status__in=WaitlistEntry.ACTIVE_STATUSES
        ).first()
        if existing is None:  # left or expired in the meantime: a rare race, try once more
            return waitlist_join(
                program=program, name=name, email=email, language=language, now=now
            )
        entry = existing
    with transaction.atomic():
        if entry.status == WaitlistEntry.Status.UNCONFIRMED:
            emails.waitlist_confirm(entry=entry, now=now)
        else:
            emails.waitlist_link(entry=entry, now=now)
    return entry


def waitlist_confirm(*, entry: WaitlistEntry, now=None) -> WaitlistEntry:
    """The owner opened the emailed link: the entry joins the line, and is offered a
    seat at once if one is free. Confirming twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        program_lock(program_id=entry.program_id, now=now)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != WaitlistEntry.Status.UNCONFIRMED:
            return entry
        entry.status = WaitlistEntry.Status.WAITING
        entry.save(update_fields=["status"])
        emails.waitlist_joined(entry=entry)
        # A seat may have freed up since the person joined.
        waitlist_offer_free_seats(program_id=entry.program_id, now=now)
        entry.refresh_from_db()
    return entry


def waitlist_offer_free_seats(*, program_id: int, now=None) -> int:
    """Offers each free seat to the next person waiting; each offer holds its seat.

    Only confirmed entries (status waiting) are offered: an unconfirmed one may have
    been made with someone else's address, and must never hold a seat.
    Call inside a transaction; takes the program lock.
    """
    now = now or timezone.now()
    program = program_lock(program_id=program_id, now=now)
    if program.status != Program.Status.PUBLISHED:
        return 0
    if program.first_starts_at is None or program.first_starts_at <= now:
        return 0
    free = seats_free(program=program, now=now)
    if free <= 0:
        return 0
    waiting = list(
        WaitlistEntry.objects.select_for_update()
        .filter(program=program, status=WaitlistEntry.Status.WAITING)
        .order_by("created_at", "id")[:free]
    )
    deadline = min(WaitlistEntry.offer_deadline(now), program.first_starts_at)
    for entry in waiting:
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = deadline
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        emails.waitlist_offer(entry=entry)
    return len(waiting)


def waitlist_offers_expire(*, now=None) -> int:
    """Ends unused offers and passes their seats on; also fills seats freed any other way
    (capacity raised in the admin)."""
    now = now or timezone.now()
    expired = 0
    stale = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", "program_id")
    for pk, program_id in list(stale):
        with transaction.atomic():
            program_lock(program_id=program_id)
            entry = WaitlistEntry.objects.select_for_update().get(pk=pk)
            if entry.status != WaitlistEntry.Status.OFFERED or entry.offer_is_live(now):
                continue
            entry.status = WaitlistEntry.Status.EXPIRED
            entry.save(update_fields=["status"])
            emails.waitlist_offer_expired(entry=entry)
            waitlist_offer_free_seats(program_id=program_id, now=now)
            expired += 1
    waiting_programs = (
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
        .values_list("program_id", flat=True)
        .distinct()
    )
    for program_id in list(waiting_programs):
        with transaction.atomic():
            waitlist_offer_free_seats(program_id=program_id, now=now)
    return expired


def waitlist_leave(*, entry: WaitlistEntry) -> None:
    with transaction.atomic():
        program_lock(program_id=entry.program_id)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in WaitlistEntry.ACTIVE_STATUSES:
            return
        had_offer = entry.status == WaitlistEntry.Status.OFFERED
        entry.status = WaitlistEntry.Status.LEFT
        entry.save(update_fields=["status"])
        if had_offer:
            waitlist_offer_free_seats(program_id=entry.program_id)
