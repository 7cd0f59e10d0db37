"""What the mailing list's emails say: the request to confirm a consent, and a marketing
email with its one-click unsubscribe (RFC 8058). Written through the outbox; bodies
from templates/emails/, whose footer names the sender (outbox.rendering)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from omwellness.models import Centre
from outbox import rendering
from outbox import services as outbox
from programs.models import Program
from programs.schedule import long_day

from .models import Consent, MarketingEmail, Subscriber


class Kind:
    CONSENT_CONFIRM = "consent_confirm"
    # Never a transactional email: unsubscribing stops this kind, and only this kind.
    MARKETING = "marketing"


def program_url(program: Program) -> str:
    return settings.SITE_URL + program.get_absolute_url()


def confirm_url(consent: Consent) -> str:
    return settings.SITE_URL + reverse("mailing:confirm") + f"?token={consent.confirm_token}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    """In the email and in its List-Unsubscribe header. The token rides in the query
    string, which the access log leaves out (README, Production)."""
    return settings.SITE_URL + reverse("mailing:unsubscribe") + f"?token={subscriber.token}"


def consent_confirm(*, consent: Consent) -> None:
    """Asks the address's owner to confirm (double opt-in); one email per consent."""
    composed = rendering.compose(
        language=consent.subscriber.language,
        subject=lambda: _("Please confirm: news of future programs"),
        template="consent_confirm",
        context=lambda: {
            "name": consent.name,
            "program": consent.program,
            "confirm_url": confirm_url(consent),
            "wording": consent.wording,
        },
    )
    outbox.write(
        outbox.EmailDraft(
            kind=Kind.CONSENT_CONFIRM,
            dedup_key=f"consent-confirm:{consent.pk}",
            recipient=consent.email,
            subject=composed.subject,
            body_text=composed.body_text,
            body_html=composed.body_html,
        )
    )


def next_term_words(*, program: Program, next_term: Program) -> tuple[str, str]:
    """The announcement that a program's next term is open, in the active language: its
    subject and its body (Markdown). `next_term` carries its dates (with_dates)."""
    body = _(
        "You took part in %(program)s and asked to hear about what comes next. "
        "Its next term, %(next_term)s, is open on our site."
    ) % {"program": program.title, "next_term": next_term.title}
    if next_term.first_starts_at:
        body += " " + _("It begins %(day)s.") % {"day": long_day(next_term.first_starts_at)}
    link = _("See the dates and register")
    body += f"\n\n[{link}]({program_url(next_term)})"
    return _("The next term: %(title)s") % {"title": next_term.title}, body


def marketing_draft(
    *,
    email: MarketingEmail,
    subscriber: Subscriber,
    sender: Centre,
    next_term: tuple[Program, Program] | None = None,
) -> outbox.EmailDraft:
    """One subscriber's copy. Staff write an announcement in one language; its greeting,
    footer and unsubscribe line are in the subscriber's. The site's own announcement of
    a next term (`next_term`: the program and its next term) is written whole in it."""
    unsubscribe = unsubscribe_url(subscriber)

    def words() -> tuple[str, str]:
        if next_term is None:
            return email.subject, email.body
        return next_term_words(program=next_term[0], next_term=next_term[1])

    def context() -> dict:
        subject, body = words()
        return {
            "subject": subject,
            "body": body,
            "name": subscriber.name,
            # The link in the footer opens the unsubscribe page in the subscriber's language.
            "unsubscribe_url": unsubscribe_url(subscriber),
        }

    composed = rendering.compose(
        language=subscriber.language,
        subject=lambda: words()[0],
        template="marketing",
        context=context,
        sender=sender,
    )
    # One announcement of a next term per person, however many past terms they took.
    if email.next_term_id is not None:
        dedup_key = f"next-term:{email.next_term_id}:{subscriber.pk}"
    else:
        dedup_key = f"marketing:{email.pk}:{subscriber.pk}"
    return outbox.EmailDraft(
        kind=Kind.MARKETING,
        dedup_key=dedup_key,
        recipient=subscriber.email,
        subject=composed.subject,
        body_text=composed.body_text,
        body_html=composed.body_html,
        reference=f"marketing:{email.pk}",
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
