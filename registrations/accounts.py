"""Which account a registration belongs to: the one that has verified its email.

People register without an account (DESIGN: registering never requires one). A
registration or waitlist entry made with an email belongs to the account that has
that email verified, whether the account existed before or is created later. The
link is made at three moments, so that none is missed:

- when a registration is created for an email that already has a verified account
  (the registration service calls `user_for_email`);
- when someone verifies an email (allauth's `email_confirmed` signal, which also fires
  when a login code proves the address);
- when someone signs in (`user_logged_in`), which catches anything made in between.

Only unclaimed rows are linked: a row that already belongs to an account stays there.
"""

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from omwellness.models import User as Account

from .models import Registration, WaitlistEntry

User = get_user_model()


def user_for_email(email: str) -> Account | None:
    """The account that has verified `email`, or None (never an unverified claim)."""
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def verified_emails(*, user) -> list[str]:
    """The user's verified addresses, lower-cased, for matching registrations."""
    if not user.is_authenticated:
        return []
    return [
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


def claim_for_user(*, user, emails: list[str] | None = None) -> int:
    """Links unclaimed registrations and waitlist entries made with the user's
    verified emails to the user. Returns how many rows were linked."""
    emails = [e.lower() for e in emails] if emails is not None else verified_emails(user=user)
    if not emails:
        return 0
    linked = (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(user__isnull=True, email_lower__in=emails)
        .update(user=user)
    )
    linked += (
        WaitlistEntry.objects.annotate(email_lower=Lower("email"))
        .filter(user__isnull=True, email_lower__in=emails)
        .update(user=user)
    )
    return linked


def account_for_registrant(*, email: str) -> Account | None:
    """An account, without a password, for someone who registered but never made one.

    The sign-in page promises that the email someone registered with signs them in;
    allauth only sends a code to an existing account. So when a code is asked for an
    address with a registration or waitlist entry and no account, one is made with the
    address unverified: typing the emailed code proves it, and signing in claims the
    registrations. Any other address gets no account (and allauth's "unknown account"
    email), so this reveals nothing on the page.
    """
    email = email.strip()
    if not email or User.objects.filter(email__iexact=email).exists():
        return None
    if EmailAddress.objects.filter(email__iexact=email).exists():
        return None
    registration = Registration.objects.filter(email__iexact=email).order_by("-created_at").first()
    entry = WaitlistEntry.objects.filter(email__iexact=email).order_by("-created_at").first()
    holder = registration or entry
    if holder is None:
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, name=holder.name, language=holder.language)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    except IntegrityError:  # the same address, asked for twice at once
        return User.objects.filter(email__iexact=email).first()
    return user


def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    if email_address.verified:
        claim_for_user(user=email_address.user, emails=[email_address.email])


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    claim_for_user(user=user)


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Sends the code to anyone who registered with the address, account or not."""

    _user: Account | None  # allauth's: the account the code goes to

    def clean_email(self) -> str:
        # allauth's checks (the rate limit among them) come first.
        email = super().clean_email()
        if email and self._user is None:
            self._user = account_for_registrant(email=email)
        return email
