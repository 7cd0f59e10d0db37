"""Who asked to hear about future programs, what they were shown, and what was sent.

A `Subscriber` is one address (case-insensitive), on the list while a consent of theirs
is confirmed and not withdrawn. Each time someone says yes, a `Consent` records it as
the law asks to be able to show it (CASL): when, the exact wording shown, where (the
registration form of a program, a program page's form) and for which program. A
`MarketingEmail` is one email staff composed, sent once through the outbox.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from omwellness.languages import language_field
from programs.models import Program


def new_token() -> str:
    """Unguessable: the only key to unsubscribing or confirming without signing in."""
    return secrets.token_urlsafe(32)


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def reachable(self) -> "SubscriberQuerySet":
        """The one definition of who may be sent a marketing email: a confirmed consent,
        not withdrawn since."""
        return self.filter(confirmed_at__isnull=False, withdrawn_at__isnull=True)


class Subscriber(models.Model):
    email = models.EmailField(_("email"), max_length=254)
    language = language_field()
    name = models.CharField(_("name"), max_length=150, blank=True)
    # In every marketing email's unsubscribe link and List-Unsubscribe header.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("first asked"))
    confirmed_at = models.DateTimeField(_("on the list since"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="mailing_subscriber_email_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_reachable(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None


class Consent(models.Model):
    """One "yes, tell me about future programs", kept as it was given."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("registration form")
        PROGRAM_PAGE = "program_page", _("program page form")
        WEBSITE = "website", _("news page form")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="consents")
    email = models.EmailField(_("email as given"), max_length=254)
    name = models.CharField(_("name as given"), max_length=150, blank=True)
    wording = models.TextField(_("wording shown"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailing_consents",
        verbose_name=_("source program"),
    )
    # The registration it was given with (its reference), for a consent from the form.
    reference = models.CharField(_("registration"), max_length=50, blank=True, db_index=True)
    given_at = models.DateTimeField(_("given"))
    confirm_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.email}, {self.get_source_display()}"


class MarketingEmail(models.Model):
    """One email to the list, composed in the admin and sent once, one outbox row each."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone on the list")
        PROGRAM = "program", _("people who asked through one program (its form or its page)")
        PARTICIPANTS = "participants", _("one program's past participants who consented")

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("message"),
        help_text=_(
            "Markdown or plain text: a blank line starts a paragraph, **bold**, "
            "[a link](https://omwellness.ca). The unsubscribe link and the centre's "
            "details are added below it."
        ),
    )
    audience = models.CharField(
        _("send to"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
        help_text=_("For the two audiences of one program."),
    )
    # Set when the email announces a program's next term to its past participants.
    next_term = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_marketingemail", "Can send a marketing email")]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="everyone") | Q(program__isnull=False),
                name="mailing_marketing_program_audience",
            ),
            # A next term is announced to one program's past participants once.
            models.UniqueConstraint(
                fields=["program", "next_term"],
                condition=Q(next_term__isnull=False),
                name="mailing_next_term_once",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.audience != self.Audience.EVERYONE and self.program_id is None:
            raise ValidationError({"program": _("Choose the program this audience is of.")})
