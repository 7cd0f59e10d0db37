"""News of future programs in Canadian French: the form, its answer, and the consent
recorded with the French words the person read."""

import pytest
from django.urls import reverse
from django.utils import translation

from mailing.models import Consent

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
FRENCH_WORDING = "Tenez-moi au courant des programmes à venir."


def test_french_news_form_reads_in_french(client):
    with translation.override("fr"):
        page = client.get(reverse("mailing:subscribe")).content.decode()
    page = page.split("<main", 1)[1]  # the page's own content, not the site's header
    assert "Nouvelles des programmes à venir" in page
    assert "Votre nom (facultatif)" in page and "Courriel" in page
    assert FRENCH_WORDING in page and "M'abonner</button>" in page
    assert "Tell me about future programs" not in page and "Subscribe" not in page


def test_french_consent_is_recorded_with_the_french_words(client):
    with translation.override("fr"):
        response = client.post(
            reverse("mailing:subscribe"),
            {"name": "Hélène Côté", "email": "helene@example.com", "consent": "on"},
        )
    page = response.content.decode()
    assert "Consultez vos courriels pour confirmer" in page
    consent = Consent.objects.get(email="helene@example.com")
    assert consent.wording.startswith(FRENCH_WORDING)


def test_french_news_form_refusal_is_in_french(client):
    with translation.override("fr"):
        page = client.post(
            reverse("mailing:subscribe"), {"email": "helene@example.com"}
        ).content.decode()
    assert "Cochez la case pour recevoir des nouvelles des programmes à venir." in page
    assert "Veuillez vérifier le formulaire" in page
