"""The audit trail of a registration."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .registration import Registration


class RegistrationLog(models.Model):
    """What happened to a registration, by whom: every change to money or seats."""

    # Read back by the emails, which give each stay in a program its own confirmation.
    TRANSFERRED = "transferred"
    # The steps of an application (services/approval.py), shown in "My registrations".
    APPLIED = "applied"
    CALL_FIRST = "call first"
    APPROVED = "approved"
    APPROVED_WAITLISTED = "approved onto the waitlist"
    DECLINED = "declined"
    CONFIRMED = "confirmed"
    # An approval's hold ran out unpaid (holds.holds_expire_stale).
    APPROVAL_LAPSED = "approval lapsed"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
