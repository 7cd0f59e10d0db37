"""The one composer (outbox.rendering.compose) writes every participant's template in
French for a French reader, and the news emails follow the subscriber's language."""

import pytest
from django.core import mail
from django.utils import timezone, translation

from certificates.models import Certificate
from mailing.emails import consent_confirm, marketing_draft
from mailing.models import Consent, MarketingEmail, Subscriber
from omwellness.models import Centre
from outbox import rendering

from ..factories import RegistrationFactory
from ..registrations.test_french_emails import assert_french, french_program, html_of

pytestmark = pytest.mark.django_db


def test_french_every_participant_template_renders_in_french():
    """Each participant's template, each of its branches, through the one composer."""
    Centre.current()
    registration = RegistrationFactory(program=french_program(), name="Élise", language="fr")
    base = {
        "name": "Élise", "program": registration.program, "registration": registration,
        "program_url": "https://omwellness.ca/fr/programs/x/", "registration_url": "https://x/r",
        "entry_url": "https://x/e", "accept_url": "https://x/a", "my_registrations_url": "https://x/m",
        "cancel_url": "https://x/c", "answers_url": "https://x/q", "confirm_url": "https://x/k",
        "download_url": "https://x/d", "verify_url": "https://x/v", "unsubscribe_url": "https://x/u",
        "refund_cents": 29500, "amount_paid_cents": 29500, "refund_days": 7,
        "refund_deadline": "mercredi 6 janvier 2027",
        "headline": "Demain : votre programme commence",
        "session_title": "Semaine 1", "session_when": "mer. 6 janv. 2027", "is_first": True,
        "venue": "12, rue Calme, Ottawa", "wording": "Oui, écrivez-moi.",
        "body": "Apportez une couverture.",
        "sender_name": "Claire", "previous_program": registration.program, "heading": "Bonjour",
        "email": MarketingEmail(subject="Nouvelles d'hiver", body="Un texte."),
        "certificate": Certificate(
            program_title="Pleine conscience", code="ABCD-1234",
            first_day=timezone.localdate(), last_day=timezone.localdate(),
        ),
        "requested_at": timezone.now(), "kept_names": 1, "years": 6, "changes": ["Semaine 1"],
        "receipts": [], "hold_live": True, "hold_expires": "mercredi 6 janvier 2027 à 19 h 00 HE",
    }  # fmt: skip
    steps = [
        "application_received", "application_approved", "application_waitlisted",
        "application_declined", "application_call_first", "approval_lapsed",
    ]  # fmt: skip
    templates = [("application", {"step": step}) for step in steps] + [
        (name, {})
        for name in (
            "answers_request", "cancellation", "certificate_issued", "confirmation",
            "consent_confirm", "late_payment_refunded", "marketing", "message",
            "payment_failed", "privacy_deletion_done", "program_cancelled", "refund",
            "registration_link", "reminder", "schedule_change", "waitlist_confirm",
            "waitlist_joined", "waitlist_link", "waitlist_offer", "waitlist_offer_expired",
        )
    ]  # fmt: skip
    for name, extra in templates:
        with translation.override("en"):
            composed = rendering.compose(
                language="fr",
                subject=lambda: "Sujet",
                template=name,
                context=lambda extra=extra: {**base, **extra},
            )
        assert_french(composed.subject, composed.body_text, composed.body_html, kind=name)


def test_french_news_emails_follow_the_subscriber_language(django_capture_on_commit_callbacks):
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email="elise@example.com", name="Élise", language="fr", created_at=now
    )
    consent = Consent.objects.create(
        subscriber=subscriber, email=subscriber.email, name="Élise", wording="Oui.",
        source=Consent.Source.choices[0][0], given_at=now,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        consent_confirm(consent=consent)
    (message,) = [m for m in mail.outbox if m.to == [subscriber.email]]
    assert message.subject == "Veuillez confirmer\u00a0: nouvelles des programmes"
    assert_french(message.subject, message.body, html_of(message), kind="consent_confirm")

    email = MarketingEmail.objects.create(subject="Nouvelles d'hiver", body="Un texte.")
    draft = marketing_draft(email=email, subscriber=subscriber, sender=Centre.current())
    assert "Pour vous désabonner en un clic" in draft.body_text
    assert "Se désabonner" in draft.body_html
    assert_french(draft.subject, draft.body_text, draft.body_html, kind="marketing")
