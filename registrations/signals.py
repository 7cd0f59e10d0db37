"""What registrations tells the catalogue when bookings change.

The public program page is cached for a second and shows seats left (programs/
page_cache.py). The catalogue does not know about registrations, so the booking core
tells it: any saved or deleted registration or waitlist entry drops its program's
cached page once the write commits.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from programs import page_cache

from .models import Registration, WaitlistEntry


@receiver([post_save, post_delete], sender=Registration)
@receiver([post_save, post_delete], sender=WaitlistEntry)
def forget_program_page(sender, instance: Registration | WaitlistEntry, **kwargs) -> None:
    # Use the program already loaded when it is the one saved (no query for its
    # slug); otherwise the cache looks the slug up after commit.
    program_field = sender._meta.get_field("program")
    if program_field.is_cached(instance) and instance.program.pk == instance.program_id:
        page_cache.forget(slug=instance.program.slug)
    else:
        page_cache.forget(program_id=instance.program_id)
