"""Every email a French-speaking person gets is in French, whoever writes it: a request in
English, the background reminder scan or an admin action. English readers keep English."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from certificates.emails import certificate_issued
from certificates.models import Certificate
from programs.calendar import program_calendar
from programs.changes import ChangeKind, SessionChange
from programs.models import Session
from registrations import emails
from registrations.models import Payment
from registrations.reminders import reminders_queue_due

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")

# What an English email says in every kind: none of it may reach a French reader.
ENGLISH = re.compile(
    r"\b(Hello|With care|the omwellness team|You're|You are|Your|your|We |we |Please|please"
    r"|registration|waitlist|refund|Refund|Nothing|seat|session|program |If |the )\b"
)
FRENCH_WEEKDAY_DATE = re.compile(
    r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) (1er|\d{1,2})\s"
    r"(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
    r" \d{4}"
)


def words(text: str) -> str:
    """What a reader reads: no markup, no addresses (their paths are the site's)."""
    text = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"https?://\S+", " ", text)


def assert_french(subject: str, text: str, html: str, *, kind: str) -> None:
    for part in (subject, words(text), words(html)):
        leftover = ENGLISH.search(part)
        assert leftover is None, (kind, leftover.group(0) if leftover else "", part)
    assert "Avec bienveillance," in text and "Avec bienveillance," in html, kind
    assert '<html lang="fr">' in html, kind


def french_program(**fields):
    program = ProgramFactory(
        title="Pleine conscience au quotidien", summary="Un programme calme.", sessions=False,
        refund_days_before_start=7, **fields,
    )  # fmt: skip
    first = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    for week in range(3):
        SessionFactory(
            program=program,
            title=f"Semaine {week + 1}",
            starts_at=first + timedelta(weeks=week),
            ends_at=first + timedelta(weeks=week, hours=2, minutes=30),
        )
    return program


def paid(registration, cents):
    Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_{registration.pk}_{cents}",
        amount_cents=cents,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            function(**kwargs)
        return mail.outbox[before:]

    return run


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_french_every_email_kind_to_a_participant_is_in_french(send):
    program = french_program()
    previous = french_program()
    registration = RegistrationFactory(
        program=program, name="Élise Côté", language="fr", price_label="Tarif régulier"
    )
    paid(registration, 29500)
    registration.hold_expires_at = timezone.now() + timedelta(days=2)
    registration.save()
    entry = WaitlistEntryFactory(program=program, name="Aurèle Gagné", language="fr")
    entry.offer_expires_at = timezone.now() + timedelta(hours=48)
    entry.save()
    session = program.sessions.order_by("starts_at").first()
    moved = SessionChange(
        kind=ChangeKind.MOVED,
        title=session.title,
        session_id=session.pk,
        old_starts_at=session.starts_at,
        old_ends_at=session.ends_at,
        new_starts_at=session.starts_at + timedelta(days=1),
        new_ends_at=session.ends_at + timedelta(days=1),
    )
    certificate = Certificate.objects.create(
        registration=registration, name=registration.name, program_title=program.title,
        first_day=timezone.localdate(), last_day=timezone.localdate(), sessions_attended=3,
        sessions_total=3, live_minutes=450, issued_at=timezone.now(),
    )  # fmt: skip
    kinds = [
        (emails.confirmation, {"registration": registration}, "Votre inscription est confirmée"),
        (emails.payment_failed, {"registration": registration}, "n'a pas abouti"),
        (
            emails.late_payment_refunded,
            {"registration": registration, "refund_cents": 29500},
            "Nous vous avons remboursé",
        ),
        (
            emails.cancellation,
            {"registration": registration, "refund_cents": 29500},
            "Votre inscription est annulée",
        ),
        (
            emails.refund,
            {"registration": registration, "refund_cents": 5050, "refund_id": "re_fr"},
            "Remboursement de 50,50",
        ),
        (emails.registration_link, {"registration": registration}, "Votre inscription à"),
        (
            emails.answers_request,
            {"registration": registration, "previous_program": previous},
            "Quelques questions",
        ),
        (emails.schedule_change, {"program": program, "changes": [moved]}, "Changement d'horaire"),
        (emails.waitlist_joined, {"entry": entry}, "liste d'attente"),
        (emails.waitlist_confirm, {"entry": entry}, "Veuillez confirmer votre place"),
        (emails.waitlist_link, {"entry": entry}, "Votre place sur la liste d'attente"),
        (emails.waitlist_offer, {"entry": entry}, "Une place vous attend"),
        (emails.waitlist_offer_expired, {"entry": entry}, "L'offre de place a expiré"),
        (
            emails.program_cancelled,
            {
                "program": program,
                "name": registration.name,
                "email": registration.email,
                "registration": registration,
                "refund_cents": 29500,
            },
            "Programme annulé",
        ),  # fmt: skip
        (emails.application_received, {"registration": registration}, "demande d'admission"),
        (emails.application_approved, {"registration": registration}, "garder votre place"),
        (
            emails.application_waitlisted,
            {"registration": registration, "entry": entry},
            "liste d'attente",
        ),
        (
            emails.application_declined,
            {"registration": registration, "message": "Peut-être au printemps."},
            "Au sujet de votre demande",
        ),
        (emails.application_call_first, {"registration": registration}, "vous appellera"),
        (emails.approval_lapsed, {"registration": registration}, "n'a pas été conservée"),
        (certificate_issued, {"certificate": certificate}, "attestation de participation"),
    ]
    seen = set()
    for function, kwargs, subject_words in kinds:
        with translation.override("en"):  # as a background job or an admin action runs
            sent = send(function, **kwargs)
        (message,) = [m for m in sent if m.to[0] in (registration.email, entry.email)]
        assert subject_words in message.subject, (function.__name__, message.subject)
        assert_french(message.subject, message.body, html_of(message), kind=function.__name__)
        # Names with accents come through whole, in both bodies.
        name = entry.name if message.to == [entry.email] else registration.name
        assert name in message.body and name in html_of(message), function.__name__
        seen.add(function.__name__)
    assert len(seen) == len(kinds)


def test_french_confirmation_shows_money_and_dates_the_french_way(send):
    program = french_program()
    registration = RegistrationFactory(program=program, language="fr", name="Élise")
    paid(registration, 29500)

    (message,) = send(emails.confirmation, registration=registration)

    for body in (message.body, html_of(message)):
        assert "295,00\u00a0$" in body
        assert "$295" not in body
        assert FRENCH_WEEKDAY_DATE.search(body), body
        assert "Vous pouvez annuler et obtenir un remboursement complet jusqu'au" in body
        assert "Le fichier de calendrier ci-joint" in body
    assert message.subject == (
        f"Votre inscription est confirmée\u00a0: Pleine conscience au quotidien "
        f"({registration.reference})"
    )


def test_french_calendar_file_speaks_french_and_says_so(send):
    program = french_program()
    registration = RegistrationFactory(program=program, language="fr")

    (message,) = send(emails.confirmation, registration=registration)

    (_name, content, _mimetype), *_ = message.attachments
    events = Calendar.from_ical(content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        f"Pleine conscience au quotidien\u00a0: Semaine {n}" for n in (1, 2, 3)
    ]
    for event in events:
        assert event["SUMMARY"].params["LANGUAGE"] == "fr-CA"
        assert "Se joindre en ligne\u00a0: https://meet.example.com/secret-room" in str(
            event["DESCRIPTION"]
        )
    # The program's download, read in French, without the private link.
    with translation.override("fr"):
        download = program_calendar(program=program, sessions=program.sessions.all())
    program.meeting_link = ""
    with translation.override("fr"):
        unlinked = program_calendar(program=program, sessions=program.sessions.all())
    assert "SUMMARY;LANGUAGE=fr-CA:Pleine conscience au quotidien" in download.decode()
    location = Calendar.from_ical(unlinked).walk("VEVENT")[0]["LOCATION"]
    assert str(location) == "En ligne (lien envoyé aux personnes inscrites)"


def test_french_reminder_from_the_background_scan_is_in_french(django_capture_on_commit_callbacks):
    first = datetime(2027, 1, 6, 19, 0, tzinfo=TORONTO)
    program = ProgramFactory(title="Pleine conscience", sessions=False)
    Session.objects.create(
        program=program, title="Semaine 1", starts_at=first, ends_at=first + timedelta(hours=2)
    )
    with time_machine.travel(first - timedelta(days=30), tick=False):
        french = RegistrationFactory(program=program, name="Élise", language="fr")
        english = RegistrationFactory(program=program, name="Ada", language="en")

    before = len(mail.outbox)
    with time_machine.travel(first - timedelta(days=7), tick=False):
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            reminders_queue_due()
    sent = {m.to[0]: m for m in mail.outbox[before:]}

    to_french, to_english = sent[french.email], sent[english.email]
    assert to_french.subject == (
        "Dans 1 semaine\u00a0: votre programme commence le mercredi 6 janvier 2027"
        " (Pleine conscience)"
    )
    assert_french(to_french.subject, to_french.body, html_of(to_french), kind="reminder")
    assert "Bonjour Élise, petit rappel" in to_french.body
    assert to_english.subject == (
        "1 week to go: your program begins Wednesday, January 6, 2027 (Pleine conscience)"
    )
    assert "Hello Ada, a reminder that Semaine 1" in to_english.body


def test_french_registration_gets_french_while_english_keeps_english(send):
    program = french_program()
    french = RegistrationFactory(program=program, language="fr", name="Élise")
    english = RegistrationFactory(program=program, language="en", name="Ada")

    with translation.override("fr"):  # a French page's request: the English reader stays English
        (to_english,) = send(emails.cancellation, registration=english, refund_cents=29500)
    (to_french,) = send(emails.cancellation, registration=french, refund_cents=29500)

    assert to_english.subject.startswith("Your registration is cancelled: ")
    assert "We are refunding $295 CAD to the card you paid with." in to_english.body
    assert "With care," in to_english.body and '<html lang="en">' in html_of(to_english)
    assert to_french.subject.startswith("Votre inscription est annulée\u00a0: ")
    assert "Nous remboursons 295,00\u00a0$ sur la carte utilisée pour le paiement." in (
        to_french.body
    )


def test_french_registration_reaches_facilitators_in_english_with_its_accents(send):
    program = french_program()
    lead = FacilitatorFactory(name="Claire", user=UserFactory(email="lead@example.com"))
    program.facilitators.add(lead)
    registration = RegistrationFactory(program=program, name="Élise Côté-Bérubé", language="fr")

    with translation.override("fr"):  # registered from a French page
        (notice,) = send(emails.facilitators_notice, registration=registration, event="registered")
        (applied,) = send(emails.application_to_facilitators, registration=registration)

    assert notice.subject == "Élise Côté-Bérubé registered for Pleine conscience au quotidien"
    assert applied.subject == "New application for Pleine conscience au quotidien"
    for message in (notice, applied):
        assert "Élise Côté-Bérubé" in message.body and "Élise Côté-Bérubé" in html_of(message)
        assert "With care," in message.body and '<html lang="en">' in html_of(message)


def test_french_email_links_open_the_french_pages(send):
    """Addresses are reversed in the reader's language: under /fr/ once French pages have
    their prefix, the same as a French page's own links."""
    program = french_program()
    french = RegistrationFactory(program=program, language="fr", user=None)
    english = RegistrationFactory(program=program, language="en", user=None)

    (to_french,) = send(emails.confirmation, registration=french)
    (to_english,) = send(emails.confirmation, registration=english)

    for message, registration, language in ((to_french, french, "fr"), (to_english, english, "en")):
        with translation.override(language):
            pages = [
                reverse("registrations:list"),
                reverse("registrations:detail", args=[registration.reference]),
                program.get_absolute_url(),
            ]
        for page in pages:
            assert f'href="{settings.SITE_URL}{page}' in html_of(message), (language, page)
            assert f"{settings.SITE_URL}{page}" in message.body, (language, page)
