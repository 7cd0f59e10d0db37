"""What a person on a program's waitlist is told."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from registrations.models import WaitlistEntry

from .compose import Kind, minute, program_context, queue, sessions_of, when
from .links import absolute


def entry_context(entry: WaitlistEntry) -> dict:
    return {
        "entry": entry,
        "name": entry.name,
        "entry_url": absolute(reverse("registrations:waitlist_entry", args=[entry.token])),
        **program_context(entry.program, sessions_of(entry.program)),
    }


def waitlist_joined(*, entry: WaitlistEntry) -> None:
    queue(
        kind=Kind.WAITLIST_JOINED,
        dedup_key=f"waitlist_joined:{entry.pk}",
        recipient=entry.email,
        language=entry.language,
        subject=lambda: _("You're on the waitlist: %(program)s") % {"program": entry.program.title},
        template="waitlist_joined",
        context=lambda: entry_context(entry),
    )


def waitlist_confirm(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """The link that confirms a new waitlist entry; sent again when the address is used
    to join again before it was opened."""
    queue(
        kind=Kind.WAITLIST_CONFIRM,
        dedup_key=f"waitlist_confirm:{entry.pk}:{minute(now)}",
        recipient=entry.email,
        language=entry.language,
        subject=lambda: (
            _("Please confirm your place on the waitlist: %(program)s")
            % {"program": entry.program.title}
        ),
        template="waitlist_confirm",
        context=lambda: entry_context(entry),
    )


def waitlist_link(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """The address is already on the waitlist and someone asked to join again: the
    owner gets their waitlist page."""
    queue(
        kind=Kind.WAITLIST_LINK,
        dedup_key=f"waitlist_link:{entry.pk}:{minute(now)}",
        recipient=entry.email,
        language=entry.language,
        subject=lambda: (
            _("Your place on the waitlist: %(program)s") % {"program": entry.program.title}
        ),
        template="waitlist_link",
        context=lambda: entry_context(entry),
    )


def waitlist_offer(*, entry: WaitlistEntry) -> None:
    """A seat is held for this person until the deadline; the link is theirs alone."""
    stamp = entry.offer_expires_at.isoformat() if entry.offer_expires_at else "none"
    queue(
        kind=Kind.WAITLIST_OFFER,
        dedup_key=f"waitlist_offer:{entry.pk}:{stamp}",
        recipient=entry.email,
        language=entry.language,
        subject=lambda: (
            _("A seat is yours if you want it: %(program)s") % {"program": entry.program.title}
        ),
        template="waitlist_offer",
        context=lambda: {
            **entry_context(entry),
            "accept_url": absolute(reverse("registrations:waitlist_accept", args=[entry.token])),
            "offer_expires": when(entry.offer_expires_at),
        },
    )


def waitlist_offer_expired(*, entry: WaitlistEntry) -> None:
    queue(
        kind=Kind.WAITLIST_OFFER_EXPIRED,
        dedup_key=f"waitlist_offer_expired:{entry.pk}",
        recipient=entry.email,
        language=entry.language,
        subject=lambda: (
            _("Your seat offer has expired: %(program)s") % {"program": entry.program.title}
        ),
        template="waitlist_offer_expired",
        context=lambda: entry_context(entry),
    )
