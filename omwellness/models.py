from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .languages import language_field


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with an account. Email is the login; there is no username."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), unique=True)
    language = language_field()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # AbstractUser's stubs expect its own manager, which needs a username; this one has none.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Centre(models.Model):
    """The centre's business details: one row, edited in the admin.

    The one home of who the centre is (name, mailing address, contact) and how it
    charges sales tax. Emails (their sender identification), receipts and the price
    shown on every page read it from here; `Centre.current()` returns the row.
    """

    name = models.CharField(_("name"), max_length=150, default="omwellness")
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, help_text=_("As on receipts, if different.")
    )
    mailing_address = models.TextField(
        _("mailing address"), default="100 Queen Street West\nToronto, ON M5H 2N2\nCanada"
    )
    email = models.EmailField(_("email"), default="hello@omwellness.ca")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("web address"), default="https://omwellness.ca")
    hst_registered = models.BooleanField(
        _("registered for HST"),
        default=False,
        help_text=_("Charge sales tax on taxable programs and show the business number."),
    )
    business_number = models.CharField(
        _("business number"),
        max_length=30,
        blank=True,
        help_text=_("The HST registration number, e.g. 123456789 RT0001."),
    )
    tax_rate_percent = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=3, default=Decimal("13.000")
    )
    tax_name = models.CharField(_("tax name"), max_length=20, default="HST")
    prices_include_tax = models.BooleanField(
        _("prices include tax"),
        default=False,
        help_text=_("Off: tax is added to the prices shown. On: the prices shown include it."),
    )
    # Privacy (PIPEDA: keep personal information only as long as needed); the periodic
    # job privacy.tasks.apply_retention reads these.
    erase_sensitive_answers_days = models.PositiveIntegerField(
        _("erase health answers (days after the program ends)"),
        default=90,
        help_text=_("Sensitive intake answers are erased this long after the last session."),
    )
    erase_ended_registrations_days = models.PositiveIntegerField(
        _("erase personal data of cancelled or expired registrations (days)"),
        default=365,
        help_text=_(
            "Names, addresses, phone numbers and answers of registrations that were cancelled, "
            "refunded or expired, counted from when they ended. Payment records stay."
        ),
    )
    financial_records_years = models.PositiveSmallIntegerField(
        _("keep financial records (years after the end of the year)"),
        default=6,
        help_text=_(
            "Payments, refunds and the buyer's name on them are kept this many years after "
            "the end of the tax year they belong to (CRA's books-and-records rule)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("centre details")
        verbose_name_plural = _("centre details")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="centre_single_row"),
            models.CheckConstraint(
                condition=Q(tax_rate_percent__gte=0, tax_rate_percent__lt=100),
                name="centre_tax_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "Centre":
        """The row, or the defaults until staff first save it: a read never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class SensitiveAccess(models.Model):
    """One look at sensitive (health) answers: who, when, which program, how many people.

    Written by `omwellness.access_log.record_access` alone, from every page or export
    that shows them; read-only in the admin. Who and which program are also kept as
    text, so the record outlives the account or the program.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    user_email = models.EmailField(_("who (email)"), blank=True)
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
    )
    program_title = models.CharField(_("program title"), max_length=200, blank=True)
    people = models.PositiveIntegerField(_("people"))
    what = models.CharField(_("what"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access to health answers")
        verbose_name_plural = _("accesses to health answers")

    def __str__(self) -> str:
        return f"{self.user_email or 'someone'}: {self.what} ({self.people})"
