"""A certificate of completion: what it states, frozen when it was issued."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from omwellness.formatting import date_span
from registrations.models import REFERENCE_ALPHABET, Registration

# 20 characters of a 31-letter alphabet: 99 bits, far past guessing at any rate a
# server answers. The alphabet is the references' (no 0/O, 1/I/L), because a code is
# typed from paper by whoever checks it; groups of five keep it readable.
CODE_LENGTH = 20
CODE_GROUP = 5


def new_code() -> str:
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(letters[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalize_code(text: str) -> str:
    """A code as typed ('k7q9m hxt3p…', with or without dashes) in its stored form, or ''
    when it cannot be one."""
    letters = "".join(char for char in text.upper() if char.isalnum())
    if len(letters) != CODE_LENGTH or any(char not in REFERENCE_ALPHABET for char in letters):
        return ""
    return "-".join(letters[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


class Certificate(models.Model):
    """One per registration. What it states (the name, the program, its dates, the hours
    attended live, the facilitators) is copied when it is issued, so a later edit of the
    program or the registration never changes a certificate someone already holds."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_code, editable=False
    )
    name = models.CharField(_("name"), max_length=150)
    program_title = models.CharField(_("program"), max_length=200)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended live"))
    sessions_total = models.PositiveSmallIntegerField(_("sessions in the program"))
    live_minutes = models.PositiveIntegerField(_("minutes attended live"))
    facilitators = models.CharField(_("facilitators"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revoked_with_reason",
            ),
        ]
        permissions = [("revoke_certificate", "Can revoke a certificate of completion")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:verify", kwargs={"code": self.code})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def live_hours(self) -> str:
        """'19.5' or '20': hours attended live, to the quarter hour."""
        quarters = round(self.live_minutes / 15)
        hours = quarters / 4
        return f"{hours:g}"

    @property
    def dates(self) -> str:
        """'January 7 – March 4, 2026' (in the active language), naming both years when
        it spans two."""
        return date_span(self.first_day, self.last_day)
