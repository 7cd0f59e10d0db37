import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omwellness.money import format_money

from .translated import (
    TranslatedCharField,
    TranslatedModel,
    TranslatedTextField,
    english,
    french_active,
)


class Facilitator(TranslatedModel):
    """The public profile of someone who leads programs; linked to their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitator",
        help_text=_("The account that signs in to see this facilitator's rosters."),
    )
    name = models.CharField(_("name"), max_length=150)
    credentials = TranslatedCharField(_("credentials"), max_length=200, blank=True)
    credentials_fr = models.CharField(_("credentials in French"), max_length=200, blank=True)
    bio = TranslatedTextField(_("short bio"), blank=True)
    bio_fr = models.TextField(_("short bio in French"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="facilitators/", blank=True)
    # One order for the centre, not one per program: the lead teacher of a program is
    # listed before a co-teacher, and staff set it once in the admin.
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=100,
        help_text=_("Facilitators are listed by this number, lowest first (e.g. lead teacher 1)."),
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ProgramQuerySet(models.QuerySet["Program"]):
    def published(self) -> "ProgramQuerySet":
        return self.filter(status__in=[Program.Status.PUBLISHED, Program.Status.CANCELLED])

    def with_dates(self) -> "ProgramQuerySet":
        # Program declares these for the pages that read them: Django refuses only an
        # annotation named like a field, but the type plugin refuses any declared attribute.
        return self.annotate(  # type: ignore[no-redef]
            first_starts_at=models.Min("sessions__starts_at"),
            last_ends_at=models.Max("sessions__ends_at"),
        )


class Program(TranslatedModel):
    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    title = TranslatedCharField(_("title"), max_length=200)
    summary = TranslatedCharField(_("summary"), max_length=300)
    description = TranslatedTextField(_("description"), blank=True, help_text=_("Markdown."))
    title_fr = models.CharField(_("title in French"), max_length=200, blank=True)
    summary_fr = models.CharField(_("summary in French"), max_length=300, blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    venue = models.TextField(
        _("venue"), blank=True, help_text=_("Address of an in-person or hybrid program; public.")
    )
    meeting_link = models.URLField(
        _("private meeting link"),
        blank=True,
        help_text=_("Shown only to confirmed participants, in their emails and account."),
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Leave empty to close when the first session starts."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    facilitators = models.ManyToManyField(Facilitator, related_name="programs", blank=True)
    next_term = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="previous_terms",
        verbose_name=_("next term"),
        help_text=_("The next run of this program, offered when this one ends or is cancelled."),
    )
    refund_days_before_start = models.PositiveSmallIntegerField(
        _("full refund until (days before start)"), default=7
    )
    # A week by default, as the full refund: a seat given up later is hard to fill.
    switch_days_before_start = models.PositiveSmallIntegerField(
        _("switching to the next term until (days before start)"),
        default=7,
        help_text=_("Participants may move themselves to the next term until then."),
    )
    # Screening before payment (MSC asks people to talk with a teacher first when in doubt):
    # the form takes an application, and a facilitator approves it onto a seat.
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("The form takes an application; a facilitator approves it before anyone pays."),
    )
    approval_hold_days = models.PositiveSmallIntegerField(
        _("days an approval holds a seat"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How long an approved applicant has to pay before the seat goes on."),
    )
    taxable = models.BooleanField(
        _("fee is taxable"),
        default=True,
        help_text=_("Charge sales tax on this program's fees when the centre is registered."),
    )
    reminder_days_before = models.CharField(
        _("reminders (days before the first session)"),
        max_length=50,
        default="7,1",
        help_text=_("Comma-separated, e.g. 7,1. Leave empty for none."),
    )
    remind_on_session_day = models.BooleanField(
        _("reminder on the day of each session"),
        default=True,
        help_text=_("Sent for online programs, with the meeting link."),
    )
    # The completion rule of the certificates app: live attendance only (recordings do
    # not count), as the MSC teacher-training pathway asks (e.g. 7 of 9 sessions).
    completion_min_sessions = models.PositiveSmallIntegerField(
        _("certificate: sessions attended live"),
        null=True,
        blank=True,
        help_text=_(
            "How many sessions a participant must attend live for a certificate of "
            "completion. Leave empty for a program without certificates."
        ),
    )
    # Minimum enrolment: a course by a teacher in training runs only with enough people.
    minimum_participants = models.PositiveSmallIntegerField(
        _("minimum participants"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the program runs whatever the number."),
    )
    minimum_decision_date = models.DateField(
        _("decision date"),
        null=True,
        blank=True,
        help_text=_(
            "Until this day the page says the program runs once the minimum have registered; "
            "on it, staff and facilitators are told whether it was reached."
        ),
    )
    show_places_missing = models.BooleanField(
        _("say how many more are needed"),
        default=False,
        help_text=_("Off: the page never says how many registrations are missing."),
    )
    # The decision date whose outcome was announced: the daily check tells people once,
    # and again only if staff move the date later.
    minimum_announced_for = models.DateField(null=True, blank=True, editable=False)
    # Set by the "Cancel program" action (refunds and emails follow in the background);
    # a status changed by hand in the form refunds nobody.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    # Not columns: values the selectors put on the instances they return
    # (ProgramQuerySet.with_dates, and the seat count of registrations' program_lock);
    # an instance loaded any other way lacks them.
    first_starts_at: datetime | None
    last_ends_at: datetime | None
    seats_taken: int
    registered_count: int

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="program_capacity_positive"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="program_registration_window_ordered",
            ),
        ]
        permissions = [("cancel_program", "Can cancel a program, refunding everyone in full")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", kwargs={"slug": self.slug})

    @property
    def is_online(self) -> bool:
        return self.format in {self.Format.ONLINE, self.Format.HYBRID}

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted(
            {int(part) for part in self.reminder_days_before.split(",") if part.strip().isdigit()},
            reverse=True,
        )

    def full_refund_deadline(self, starts_at) -> datetime | None:
        if starts_at is None:
            return None
        return starts_at - timedelta(days=self.refund_days_before_start)

    def switch_deadline(self, starts_at) -> datetime | None:
        """Until when a participant may move to the next term by themselves."""
        if starts_at is None:
            return None
        return starts_at - timedelta(days=self.switch_days_before_start)


class Session(TranslatedModel):
    """One meeting of a program. Its UID is stable so calendars update in place."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    title = TranslatedCharField(_("title"), max_length=200)
    title_fr = models.CharField(_("title in French"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location_note = TranslatedCharField(_("location note"), max_length=200, blank=True)
    location_note_fr = models.CharField(_("location note in French"), max_length=200, blank=True)
    required_for_completion = models.BooleanField(
        _("required for the certificate"),
        default=False,
        help_text=_("Must be attended live for a certificate of completion (e.g. the retreat)."),
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Raised whenever the time changes, as iCalendar's SEQUENCE (RFC 5545 §3.8.7.4).
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"


class PriceOption(TranslatedModel):
    """One price on the sliding scale, in integer cents of CAD."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="price_options")
    label = TranslatedCharField(_("label"), max_length=100)
    label_fr = models.CharField(_("label in French"), max_length=100, blank=True)
    description = TranslatedCharField(_("description"), max_length=300, blank=True)
    description_fr = models.CharField(_("description in French"), max_length=300, blank=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents, CAD)"))
    available_until = models.DateTimeField(
        _("available until"), null=True, blank=True, help_text=_("For early-bird prices.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "amount_cents"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="price_option_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({format_money(self.amount_cents)})"

    def is_available(self, now=None) -> bool:
        now = now or timezone.now()
        return self.available_until is None or now < self.available_until


class Question(TranslatedModel):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        YES_NO = "yes_no", _("Yes / no")
        CHOICE = "choice", _("Choice")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    text = TranslatedCharField(_("question"), max_length=300)
    text_fr = models.CharField(_("question in French"), max_length=300, blank=True)
    help_text = TranslatedCharField(_("help text"), max_length=300, blank=True)
    help_text_fr = models.CharField(_("help text in French"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = TranslatedTextField(_("choices"), blank=True, help_text=_("One per line."))
    choices_fr = models.TextField(
        _("choices in French"),
        blank=True,
        help_text=_("One per line, in the order of the English ones: line 1 translates line 1."),
    )
    required = models.BooleanField(_("required"), default=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Asks about health: shown only to facilitators and staff, never emailed."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        """The choices as answers are stored: in English, whatever the reader's language."""
        return _lines(english(self, "choices"))

    @property
    def choice_pairs(self) -> list[tuple[str, str]]:
        """(stored value, label shown): the French label of line N when there is one."""
        values = self.choice_list
        labels = _lines(self.choices_fr) if french_active() else []
        return [(value, labels[n] if n < len(labels) else value) for n, value in enumerate(values)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The participant agreement has its own module; it is read from here as the others.
from .agreement import DEFAULT_AGREEMENT, DEFAULT_AGREEMENT_FR, Agreement  # noqa: E402

__all__ = [
    "DEFAULT_AGREEMENT",
    "DEFAULT_AGREEMENT_FR",
    "Agreement",
    "Facilitator",
    "PriceOption",
    "Program",
    "ProgramQuerySet",
    "Question",
    "Session",
]
