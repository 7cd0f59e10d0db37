"""Numbered receipts and credit notes, each a snapshot of the sale as it was.

A receipt is written once, for one payment; a credit note once, for one refund, naming
the receipt of the payment it gives money back from. What they print (who sold, to
whom, what, for how much, with what tax) is copied onto the row when it is issued, so a
later change of the centre's details, the program or the tax settings never alters one.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Payment, Refund, Registration


class ReceiptCounter(models.Model):
    """The last number given: one row, locked (select_for_update) and moved on in the
    transaction that writes the receipt, so numbers have no gap and no repeat."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="receipt_counter_one_row")]

    def __str__(self) -> str:
        return f"last receipt number {self.last_number}"


class Receipt(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Receipt")
        CREDIT_NOTE = "credit_note", _("Credit note")

    # One series for receipts and credit notes: every document the accountant files.
    number = models.PositiveIntegerField(_("number"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="receipts"
    )
    # Unique: a duplicate webhook or a retried refund can never make a second document.
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="receipt"
    )
    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_note"
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("original receipt"),
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now, db_index=True)
    # The date of the sale (payment) or of the refund, which the document states.
    transaction_date = models.DateTimeField(_("date"))
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_address = models.TextField(_("seller's address"))
    seller_contact = models.CharField(_("seller's contact"), max_length=300, blank=True)
    business_number = models.CharField(_("business number"), max_length=30, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=150)
    buyer_email = models.EmailField(_("buyer's email"))
    reference = models.CharField(_("registration reference"), max_length=12)
    description = models.CharField(_("description"), max_length=500)
    # Positive amounts; a credit note's are given back (the kind says which way).
    before_tax_cents = models.PositiveIntegerField(_("before tax (cents)"))
    tax_cents = models.PositiveIntegerField(_("tax (cents)"))
    total_cents = models.PositiveIntegerField(_("total (cents)"))
    tax_name = models.CharField(_("tax name"), max_length=20, blank=True)
    tax_rate_label = models.CharField(_("tax rate"), max_length=20, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=100)
    terms = models.CharField(_("terms"), max_length=200)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="payment",
                        payment__isnull=False,
                        refund__isnull=True,
                        original__isnull=True,
                    )
                    | Q(
                        kind="credit_note",
                        payment__isnull=True,
                        refund__isnull=False,
                        original__isnull=False,
                    )
                ),
                name="receipt_kind_matches_source",
            ),
            models.CheckConstraint(
                condition=Q(total_cents=models.F("before_tax_cents") + models.F("tax_cents")),
                name="receipt_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        """'Receipt 000042', 'Credit note 000043': how pages and emails name it."""
        return f"{self.get_kind_display()} {self.label}"

    @property
    def label(self) -> str:
        """The number as printed: six digits, '000042'."""
        return f"{self.number:06d}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def filename(self) -> str:
        prefix = "credit-note" if self.is_credit_note else "receipt"
        return f"{prefix}-{self.label}.pdf"
