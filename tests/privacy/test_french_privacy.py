"""The privacy notice, "My data" and the deletion page in Canadian French."""

import pytest
from django.urls import reverse
from django.utils import translation

from ..factories import RegistrationFactory, UserFactory
from .helpers import HEALTH, answer, paid

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _french(client, name):
    """The page in French, at its French address (under /fr/ once the site has it)."""
    with translation.override("fr"):
        response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_french_privacy_notice_reads_in_french(client):
    page = _french(client, "privacy:notice")
    for expected in (
        "Protection de vos renseignements personnels",
        "Ce que nous conservons, et pourquoi",
        "Qui voit vos réponses sur la santé",
        "Combien de temps nous le conservons",
        "Consulter vos données ou les faire supprimer",
        "entente de participation",
        f"<strong>Vos réponses aux questions d'accueil</strong>{NBSP}:",
        "la loi fiscale",
    ):
        assert expected in page, expected
    for english in ("What we keep", "Who sees", "How long", "health answers", "tax law"):
        assert english not in page, english


def test_french_my_data_page_names_everything_in_french(client):
    user = UserFactory(email="helene@example.com", name="Hélène Côté", language="fr")
    registration = RegistrationFactory(email=user.email, user=user, language="fr")
    answer(registration, sensitive=True, value=HEALTH)
    paid(registration, cents=29500)
    client.force_login(user)

    page = _french(client, "privacy:my_data")

    for expected in (
        "Tout ce que nous conservons à votre sujet",
        "Votre compte",
        "Inscriptions, réponses, paiements, remboursements et présences",
        "Dernière connexion",
        "Adresses vérifiées",
        "Liée à la santé",
        "Oui",
        f"295,00{NBSP}$",
        " HE",
        "Hélène Côté",
    ):
        assert expected in page, expected
    for english in ("Your account", "Last sign in", "Health related", "Yes", " ET"):
        assert english not in page, english


def test_french_deletion_page_and_its_message(client):
    user = UserFactory(email="helene@example.com", language="fr")
    client.force_login(user)

    page = _french(client, "privacy:deletion")
    assert "Demandez-nous de supprimer vos données" in page and "Ask for deletion" not in page

    with translation.override("fr"):
        asked = client.post(reverse("privacy:deletion"), follow=True).content.decode()
    assert "Nous avons bien reçu votre demande de suppression de vos données" in asked
