"""A person's place in a program: the registration, its answers and its discount code."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omwellness.languages import language_field
from outbox.models import OutboundEmail
from programs.models import Agreement, PriceOption, Program, Question
from programs.translated import english

from ..amount_paid import AmountPaidMixin, AmountPaidQuerySetMixin

# No 0/O, 1/I/L: references are read aloud on the phone and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "OMW-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class DiscountCodeQuerySet(models.QuerySet["DiscountCode"]):
    def with_uses(self, now=None) -> "DiscountCodeQuerySet":
        """Annotates `uses`: the registrations holding a seat with the code right now.

        The one count of a code's uses: the use limit (services/terms.py) and the
        admin's "Uses" column both read it, so the admin can never show more uses than the
        limit lets through. A hold that lapsed no longer uses its code; renewing it takes
        the code again only if it is still under its limit.
        """
        now = now or timezone.now()
        holding = (
            Registration.objects.filter(discount_code=OuterRef("pk"))
            .holding_seats(now)
            .order_by()
            .values("discount_code")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            uses=Coalesce(Subquery(holding, output_field=IntegerField()), Value(0))
        )


class DiscountCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        FIXED = "fixed", _("Fixed amount off")

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Stored upper-case.")
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discount_codes",
        help_text=_("Leave empty for a code that works on every program."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    amount_off_cents = models.PositiveIntegerField(_("amount off (cents)"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("maximum uses"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = DiscountCodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="percent", percent_off__gte=1, percent_off__lte=100)
                    | Q(kind="fixed", amount_off_cents__gte=1)
                ),
                name="discount_code_amount_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)

    def discounted(self, amount_cents: int) -> int:
        if self.kind == self.Kind.PERCENT:
            return amount_cents - (amount_cents * (self.percent_off or 0) + 50) // 100
        return max(0, amount_cents - (self.amount_off_cents or 0))


class RegistrationQuerySet(AmountPaidQuerySetMixin, models.QuerySet["Registration"]):
    def holding_seats(self, now=None) -> "RegistrationQuerySet":
        """Confirmed, or pending with a hold that has not expired (DESIGN rule 1)."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Registration.Status.CONFIRMED)
            | Q(status=Registration.Status.PENDING, hold_expires_at__gt=now)
        )

    def active(self) -> "RegistrationQuerySet":
        return self.filter(status__in=Registration.ACTIVE_STATUSES)


class Registration(AmountPaidMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        EXPIRED = "expired", _("Expired")
        # Screening before payment (Program.requires_approval): no seat, no payment yet.
        APPLIED = "applied", _("Application received")
        CALL_FIRST = "call_first", _("A facilitator will call")
        DECLINED = "declined", _("Application declined")
        # Approved while the program was full: the person is on its waitlist instead.
        WAITLISTED = "waitlisted", _("Approved, on the waitlist")

    # An open application counts as active: one per person and program, like a seat.
    APPLICATION_STATUSES = [Status.APPLIED, Status.CALL_FIRST]
    ACTIVE_STATUSES = [Status.PENDING, Status.CONFIRMED, *APPLICATION_STATUSES]

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    language = language_field()
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    price_option = models.ForeignKey(
        PriceOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price_label = models.CharField(_("price"), max_length=100, blank=True)
    amount_due_cents = models.PositiveIntegerField(_("amount due (cents)"), default=0)
    # The sales tax within amount_due_cents, fixed when the amount due is: a later change
    # of the centre's tax settings never alters what a sale charged (omwellness.tax).
    tax_cents = models.PositiveIntegerField(_("of which tax (cents)"), default=0)
    discount_code = models.ForeignKey(
        DiscountCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    # Lets a person without an account continue payment or cancel from an email link.
    access_token = models.CharField(max_length=64, default=new_token, editable=False)
    # A keyed hash of the address the hold was made from (omwellness.client_ip), so one
    # client's live holds can be counted without keeping anyone's address.
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The form's one-time value, bound to the browser that drew the form: the same
    # submission sent again (its answer lost on the way back) finds this registration
    # instead of making a second one. Empty for registrations not made by the form.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    agreed_to_policy_at = models.DateTimeField(null=True, blank=True)
    # The version of the participant agreement its person accepted, at agreed_to_policy_at.
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("agreement accepted"),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Set when a facilitator approved the application: its hold is days long, not minutes.
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when its personal data was erased (the retention job or a deletion request,
    # privacy/erasure.py); what money records need stays.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    # Not a column: the roster (facilitate.roster) prefetches the answers to the program's
    # own questions into it; an instance loaded any other way lacks it.
    program_answers: list["Answer"]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "program",
                Lower("email"),
                condition=Q(status__in=["pending", "confirmed", "applied", "call_first"]),
                name="registration_one_active_per_email",
                violation_error_message=_("This email already has a registration here."),
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "hold_expires_at"])]
        # Acting on someone else's registration takes these, never the bare staff flag
        # (registrations/permissions.py says who needs which).
        permissions = [
            ("cancel_registration", "Can cancel someone else's registration"),
            ("refund_registration", "Can refund money when cancelling"),
            ("message_participants", "Can email every participant of a program"),
            ("review_application", "Can approve or decline applications to any program"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registrations:detail", kwargs={"reference": self.reference})

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def fee_label(self) -> str:
        """The fee's name for the reader: `price_label` keeps it in English (facilitators,
        exports and switching compare it), so in French it is the price option's French
        name while that option still bears the name that was chosen."""
        option = self.price_option
        if option is not None and english(option, "label") == self.price_label:
            return option.label
        return self.price_label

    @property
    def emails(self) -> models.QuerySet[OutboundEmail]:
        """Every email about this registration: the outbox files them by its reference."""
        return OutboundEmail.objects.filter(reference=self.reference)

    def hold_is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PENDING
            and self.hold_expires_at is not None
            and self.hold_expires_at > now
        )


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, related_name="+")
    # The question as it was asked, kept if staff later edit or delete it.
    question_text = models.CharField(max_length=300)
    sensitive = models.BooleanField(default=False)
    value = models.TextField(blank=True)
    # Set when the value was erased (privacy/erasure.py): the row keeps that it was given.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["question__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.value[:40]}"
