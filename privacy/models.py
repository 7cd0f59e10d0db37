"""A person's request that the centre delete what it holds about them."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# PIPEDA: a request for one's personal information is answered within 30 days; the same
# period is given to a deletion request. Staff see the date in the admin.
ANSWER_WITHIN = timedelta(days=30)


class DeletionRequest(models.Model):
    """Asked from "My registrations"; completed by staff with one admin action.

    `email` and `emails` are what the account held when the person asked: the request
    is the record that the centre heard and answered it, and completing it deletes the
    account they came from.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deletion_requests",
    )
    email = models.EmailField(_("email"))
    emails = models.TextField(
        _("verified addresses"), blank=True, help_text=_("One per line, when it was asked.")
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    outcome = models.TextField(_("what was erased and what was kept"), blank=True)

    class Meta:
        ordering = ["completed_at", "due_at"]
        constraints = [
            # One open request per account: asking again shows the open one.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(completed_at__isnull=True),
                name="deletion_request_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.requested_at:%Y-%m-%d})"

    def save(self, *args, **kwargs) -> None:
        if self.due_at is None:
            self.due_at = self.requested_at + ANSWER_WITHIN
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @property
    def address_list(self) -> list[str]:
        return [line.strip().lower() for line in self.emails.splitlines() if line.strip()]
