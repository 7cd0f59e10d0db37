"""The waitlist: first come, first offered (DESIGN: seats freed go to the next person)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.models import Program
from registrations import emails
from registrations.models import WaitlistEntry

from .availability import program_lock, seats_free
from .errors import RegistrationRefused


def waitlist_join(*, program: Program, name: str, email: str, user=None) -> WaitlistEntry:
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                program=program, name=name.strip(), email=email.strip(), user=user
            )
            emails.waitlist_joined(entry=entry)
            # A seat may have freed up since the page was drawn.
            waitlist_offer_free_seats(program_id=program.pk)
            entry.refresh_from_db()
            return entry
    except IntegrityError as error:
        raise RegistrationRefused("This email is already on the waitlist.") from error


def waitlist_offer_free_seats(*, program_id: int, now=None) -> int:
    """Offers each free seat to the next person waiting; each offer holds its seat.

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
        if entry.status not in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
            return
        had_offer = entry.status == WaitlistEntry.Status.OFFERED
        entry.status = WaitlistEntry.Status.LEFT
        entry.save(update_fields=["status"])
        if had_offer:
            waitlist_offer_free_seats(program_id=entry.program_id)
