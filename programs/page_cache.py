"""The public program page, cached for anonymous visitors.

A cached page lives at most one second, and any write that changes what it shows
deletes it as soon as that write commits. So the seats-left figure is never more
than a second behind, even when a hold lapses without any write.

Writes to the catalogue (the program, its sessions, prices, questions or
facilitators) are heard here. Writes to bookings (registrations, waitlist offers)
belong to registrations, which the catalogue does not know: registrations calls
`forget` itself when they change (registrations/signals.py).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from .models import PriceOption, Program, Question, Session

TTL_SECONDS = 1


def page_key(slug: str, language: str | None = None) -> str:
    """One cached page per program and language (the active one unless given)."""
    return f"program-page:{language or translation.get_language()}:{slug}"


def forget(*, program_id: int | None = None, slug: str | None = None) -> None:
    """Drops the cached page once the current transaction commits."""

    def delete() -> None:
        nonlocal slug
        if slug is None and program_id is not None:
            slug = Program.objects.filter(pk=program_id).values_list("slug", flat=True).first()
        if slug is not None:
            cache.delete_many([page_key(slug, code) for code, _name in settings.LANGUAGES])

    # robust: with Redis down the write has committed all the same; a failed delete must
    # neither fail the request nor stop later callbacks (the outbox enqueue among them).
    # The page expires on its own within TTL_SECONDS.
    transaction.on_commit(delete, robust=True)


@receiver([post_save, post_delete], sender=Program)
def _program_changed(sender, instance: Program, **kwargs) -> None:
    forget(slug=instance.slug)


@receiver([post_save, post_delete], sender=Session)
@receiver([post_save, post_delete], sender=PriceOption)
@receiver([post_save, post_delete], sender=Question)
def _part_changed(sender, instance, **kwargs) -> None:
    forget(program_id=instance.program_id)


@receiver(m2m_changed, sender=Program.facilitators.through)
def _facilitators_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Program):
        forget(slug=instance.slug)
    else:
        for slug in instance.programs.values_list("slug", flat=True):
            forget(slug=slug)
