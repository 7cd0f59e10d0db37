"""A participant moving their registration to the program's next term by themselves."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import PriceOption, Program

from .payments import Payment
from .registration import Registration


class Switch(models.Model):
    """One attempt to move a confirmed registration to another term (services/switch.py).

    While HELD it holds a seat in the target until `hold_expires_at` (counted by
    seats.seats_taken_subquery), and the registration stays where it is: only
    completing the switch moves it, so an abandoned payment changes nothing.
    """

    class Status(models.TextChoices):
        HELD = "held", _("Seat held")
        COMPLETED = "completed", _("Completed")
        ABANDONED = "abandoned", _("Abandoned")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="switches"
    )
    from_program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    to_program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="switches_in")
    price_option = models.ForeignKey(PriceOption, on_delete=models.PROTECT, related_name="+")
    amount_due_cents = models.PositiveIntegerField()
    # Of which sales tax, as charged when the switch started (omwellness.tax).
    tax_cents = models.PositiveIntegerField(default=0)
    # The new amount due less the old one: paid through Checkout when above zero,
    # refunded when below.
    difference_cents = models.IntegerField()
    # Answers to the target's questions when they differ from the program's own, kept
    # only until the switch completes or ends; {} when the answers carry over.
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField()
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="switch"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "switches"
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status="held"),
                name="switch_one_held_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.reference} to {self.to_program.slug} ({self.status})"

    def hold_is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.HELD and self.hold_expires_at > now
