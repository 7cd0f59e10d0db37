"""The waitlist of a full program."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omwellness.languages import language_field
from programs.models import Program

from .registration import new_token


class WaitlistEntryQuerySet(models.QuerySet["WaitlistEntry"]):
    def with_place_in_line(self) -> "WaitlistEntryQuerySet":
        """`place_in_line`: 1 for the next person a seat is offered to, for a waiting entry
        (offers go by the order of joining, services/waitlist.py); None otherwise."""
        ahead = (
            WaitlistEntry.objects.filter(
                program=OuterRef("program"),
                status=WaitlistEntry.Status.WAITING,
                created_at__lt=OuterRef("created_at"),
            )
            .order_by()
            .values("program")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # WaitlistEntry declares the value for its readers (as Program does its dates).
        return self.annotate(  # type: ignore[no-redef]
            place_in_line=Case(
                When(
                    status=WaitlistEntry.Status.WAITING,
                    then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
                ),
                default=None,
                output_field=IntegerField(),
            )
        )


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        # Joined, but the emailed link has not been opened yet: no offer, no seat, until it is.
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a seat")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the waitlist")
        # Ended by the program's cancellation (services/program_cancel.py).
        CLOSED = "closed", _("Program cancelled")

    # On the waitlist: one such entry per address and program (the constraint below).
    ACTIVE_STATUSES = [Status.UNCONFIRMED, Status.WAITING, Status.OFFERED]

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waitlist_entries",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    language = language_field()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()

    # Not a column: WaitlistEntryQuerySet.with_place_in_line puts it on the entries it
    # returns; an entry loaded any other way lacks it.
    place_in_line: int | None

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                "program",
                Lower("email"),
                condition=Q(status__in=["unconfirmed", "waiting", "offered"]),
                name="waitlist_one_active_per_email",
                violation_error_message=_("This email is already on the waitlist."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    def offer_is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at > now
        )

    @staticmethod
    def offer_deadline(now) -> datetime:
        return now + timedelta(hours=settings.WAITLIST_OFFER_HOURS)
