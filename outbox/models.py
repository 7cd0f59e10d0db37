"""The email outbox: every email the site sends, as a row (DESIGN rule 5).

The outbox knows nothing of what an email is about. The caller names it in
`reference` (a registration's reference, for instance) and finds its emails by it.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The right-hand side of every Message-ID: a name the centre owns.
MESSAGE_ID_DOMAIN = "omwellness.ca"


def new_message_id() -> str:
    """Random, so two databases (staging and production, a restored backup) never give two
    different emails the same Message-ID, as ids or dedup keys would (RFC 5322, 3.6.4)."""
    return f"<{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>"


class OutboundEmail(models.Model):
    """Written with the change that causes it, sent once (DESIGN rule 5)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=50)
    dedup_key = models.CharField(max_length=255, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": ..., "content": <text>, "mimetype": ...}]
    attachments = models.JSONField(default=list, blank=True)
    # Extra mail headers, {"List-Unsubscribe": "<https://...>"}; the outbox adds them as
    # given (outbox.services checks they are one line) and never lets one replace Message-ID.
    headers = models.JSONField(default=dict, blank=True)
    reference = models.CharField(
        max_length=50,
        blank=True,
        db_index=True,
        help_text="What the email is about, such as a registration's reference.",
    )
    # Fixed when the row is written: a send repeated after an unknown outcome carries the
    # same one, so mail servers and clients drop the copy. A resend is a new row, and a
    # new Message-ID, or the person's mail program would hide it as a duplicate.
    message_id = models.CharField(
        "Message-ID", max_length=255, unique=True, default=new_message_id, editable=False
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound email"
        # Reading what was sent is not the same as sending it again to someone.
        permissions = [("resend_outboundemail", "Can send an email again")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
