from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Session


@receiver(pre_save, sender=Session)
def raise_sequence_when_time_changes(sender, instance: Session, **kwargs) -> None:
    """Calendars replace an event only when its SEQUENCE grows (DESIGN rule 7)."""
    if instance.pk is None:
        return
    before = Session.objects.filter(pk=instance.pk).values("starts_at", "ends_at").first()
    if before and (before["starts_at"], before["ends_at"]) != (
        instance.starts_at,
        instance.ends_at,
    ):
        instance.sequence += 1
