"""The sign-in pages in Canadian French: the site's words, and allauth's labels in the
Canadian word ("courriel", not "e-mail")."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _french(client, name):
    """The page's own content in French (the header and footer are the site layout's).
    The address is reversed in French: under /fr/ once the site has the prefix."""
    with translation.override("fr"):
        response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_french_sign_in_page_reads_in_french(client):
    page = _french(client, "account_login")
    assert "<h1>Se connecter</h1>" in page
    assert "M'envoyer un code de connexion" in page
    assert "Aucun mot de passe requis." in page
    assert "Mot de passe" in page and "Courriel" in page
    assert "Garder ma session ouverte sur cet appareil" in page
    assert f"Mot de passe oublié{NBSP}?" in page
    words = re.sub(r"<[^>]+>", " ", page)  # what a reader sees, not the markup
    for english in ("Sign in", "Email me", "password", "Keep me signed in", "E-mail"):
        assert english not in words, english


def test_french_sign_up_and_code_pages_read_in_french(client):
    signup = _french(client, "account_signup")
    assert "<h1>Créer un compte</h1>" in signup
    assert "Le mot de passe est facultatif" in signup
    assert "Adresse e-mail" not in signup and "Create an account" not in signup
    code = _french(client, "account_request_login_code")
    assert "Aucun mot de passe requis" in code
    assert "Me connecter plutôt avec un mot de passe" in code


def test_french_sign_in_page_leaves_english_as_it_was(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "<h1>Sign in</h1>" in page and "Keep me signed in on this device" in page
