"""The registration form and My registrations in Canadian French."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from programs.models import Question
from registrations.models import Payment, Registration

from ..factories import ProgramFactory, QuestionFactory, RegistrationFactory
from ..helpers import form_data, url

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_french_register_form_has_french_labels(client, program):
    with translation.override("fr"):
        page = text(client.get(url(program)))

    assert "S'inscrire à " in page
    for french in ("À propos de vous", "Votre nom", "Courriel", "Téléphone (facultatif)",
                   "Votre tarif ($ CA)", "(obligatoire)", "Avant de vous inscrire",
                   "Continuer vers le paiement"):  # fmt: skip
        assert french in page, french
    assert f"<strong>Standard{NBSP}: 450,00{NBSP}$</strong>" in page
    for english in ("About you", "Your name", "Continue to payment", "(required)"):
        assert english not in page, english


def test_french_invalid_register_form_says_what_is_wrong_in_french(client, program):
    QuestionFactory(program=program, text="Pourquoi maintenant?", kind=Question.Kind.LONG_TEXT)
    data = form_data(program, email="pas-un-courriel", phone="12", agree=None)

    with translation.override("fr"):
        response = client.post(url(program), data)
    page = text(response)

    assert response.status_code == 422
    assert "Veuillez vérifier le formulaire" in page
    assert "Ce numéro de téléphone ne semble pas valide." in page
    assert "Pour vous inscrire, veuillez accepter l'entente de participation" in page
    assert "Saisissez une adresse de courriel valide." in page  # Django's own French
    assert "Ce champ est obligatoire." in page  # the unanswered required question
    assert 'value="pas-un-courriel"' in page
    assert "does not look like a phone number" not in page
    assert "Please check the form" not in page
    assert not Registration.objects.exists()


def test_french_my_registrations_shows_money_and_dates_in_french(client, user):
    program = ProgramFactory(title="Pleine conscience")
    registration = RegistrationFactory(
        user=user, email=user.email, program=program, amount_due_cents=29500
    )
    Registration.objects.filter(pk=registration.pk).update(
        created_at=datetime(2026, 11, 4, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
    )
    Payment.objects.create(
        registration=registration,
        checkout_session_id="cs_test_fr",
        payment_intent_id="pi_test_fr",
        amount_cents=29500,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
    client.force_login(user)

    with translation.override("fr"):
        listing = text(client.get(reverse("registrations:list")))
        detail = text(client.get(registration.get_absolute_url()))

    assert "<h1>Mes inscriptions</h1>" in listing
    assert "À venir" in listing and "Confirmée" in listing
    assert f"295,00{NBSP}$" in listing
    assert f"{NBSP}h{NBSP}" in listing and " HE, du " in listing  # the French schedule
    # (The header, another part of the site, is translated on its own.)
    assert ">Upcoming<" not in listing

    assert "Date d'inscription" in detail
    assert "mer. 4 nov. 2026" in detail
    assert f"Payé 295,00{NBSP}$ le " in detail
    assert "Paiement et reçu" in detail and "Horaire" in detail
    assert "Payment and receipt" not in detail


def test_french_cancel_page_and_message(client, user):
    program = ProgramFactory(title="Pleine conscience")
    registration = RegistrationFactory(
        user=user, email=user.email, program=program, amount_due_cents=0
    )
    client.force_login(user)
    with translation.override("fr"):
        cancel_url = reverse("registrations:cancel", args=[registration.reference])
        page = text(client.get(cancel_url))
        done = client.post(cancel_url, follow=True)

    assert "Annuler votre inscription" in page and f"0,00{NBSP}$" in page
    assert "Oui, annuler mon inscription" in page
    assert "Votre inscription est annulée." in text(done)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_french_my_registrations_after_the_english_page_is_still_french(client, user):
    RegistrationFactory(user=user, email=user.email, program=ProgramFactory(title="Calme"))
    client.force_login(user)

    english = text(client.get(reverse("registrations:list")))
    with translation.override("fr"):
        french = text(client.get(reverse("registrations:list")))

    assert "<h1>My registrations</h1>" in english
    assert "<h1>Mes inscriptions</h1>" in french and "<h1>My registrations</h1>" not in french
