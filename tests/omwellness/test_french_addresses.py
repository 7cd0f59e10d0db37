"""French under /fr/, English at today's addresses; the header's switch; the first visit."""

import re

import pytest
from django.urls import resolve

from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

SWITCH = "/language/"


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_french_program_page_answers_in_french(client):
    ProgramFactory(slug="winter-msc")
    response = client.get("/fr/programs/winter-msc/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr-CA">' in html
    assert "Aller au contenu" in html  # the skip link
    assert "Mes inscriptions" not in html  # signed out: "Se connecter" instead
    assert ">Se connecter</a>" in html
    assert response["Content-Language"] == "fr"


def test_french_english_pages_stay_at_their_addresses(client):
    ProgramFactory(slug="winter-msc")
    response = client.get("/programs/winter-msc/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-CA">' in html
    assert "Skip to content" in html
    assert ">Sign in</a>" in html
    assert client.get("/en/programs/winter-msc/").status_code == 404


def test_french_hreflang_alternates_on_a_page_in_both_languages(client, settings):
    settings.SITE_URL = "https://register.omwellness.ca"
    ProgramFactory(slug="winter-msc")
    expected = {
        "en-CA": "https://register.omwellness.ca/programs/winter-msc/",
        "fr-CA": "https://register.omwellness.ca/fr/programs/winter-msc/",
        "x-default": "https://register.omwellness.ca/programs/winter-msc/",
    }
    assert alternates(client.get("/programs/winter-msc/").content.decode()) == expected
    assert alternates(client.get("/fr/programs/winter-msc/").content.decode()) == expected
    assert alternates(client.get("/fr/programs/").content.decode())["fr-CA"].endswith(
        "/fr/programs/"
    )


def test_french_staff_pages_have_no_french_address(client):
    assert client.get("/fr/facilitate/").status_code == 404
    assert client.get("/fr/admin/").status_code == 404
    assert client.get("/fr/healthz/").status_code == 404
    assert client.get("/healthz/").status_code == 200
    # Stripe keeps posting to the unprefixed address.
    assert resolve("/stripe/webhook/").url_name == "stripe_webhook"


def test_french_switch_keeps_the_page_and_remembers_the_choice(client):
    ProgramFactory(slug="winter-msc")
    page = client.get("/programs/winter-msc/").content.decode()
    assert 'name="language" value="fr" lang="fr-CA"' in page
    assert ">Français</button>" in page
    response = client.post(
        SWITCH,
        {"language": "fr", "next": "/programs/winter-msc/"},
        HTTP_REFERER="http://testserver/programs/winter-msc/?utm_source=news",
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/programs/winter-msc/?utm_source=news"
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr"
    assert int(cookie["max-age"]) >= 300 * 24 * 60 * 60  # remembered, not for the session
    # Back to English from the French page.
    french = client.get("/fr/programs/winter-msc/").content.decode()
    assert ">English</button>" in french
    response = client.post(SWITCH, {"language": "en", "next": "/fr/programs/winter-msc/"})
    assert response["Location"] == "/programs/winter-msc/"
    assert client.cookies["django_language"].value == "en"


def test_french_switch_stays_on_this_site(client):
    for next_url in ("https://elsewhere.example/", "//elsewhere.example/", "javascript:x"):
        response = client.post(SWITCH, {"language": "fr", "next": next_url})
        assert response["Location"] == "/fr/"
    # A staff page has no French version: the choice is remembered, the page kept.
    response = client.post(SWITCH, {"language": "fr", "next": "/facilitate/"})
    assert response["Location"] == "/facilitate/"
    assert client.get(SWITCH).status_code == 405


def test_french_switch_keeps_csrf(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SWITCH, {"language": "fr", "next": "/"}).status_code == 403
    assert client.post(SWITCH, {"language": "fr", "next": "/"}).status_code == 302


def test_french_switch_remembers_on_the_account(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/registrations/").content.decode()
    assert ">Français</button>" in page
    response = client.post(SWITCH, {"language": "fr", "next": "/registrations/"})
    assert response["Location"] == "/fr/registrations/"
    user.refresh_from_db()
    assert user.language == "fr"
    french = client.get("/fr/registrations/").content.decode()
    assert "Mes inscriptions" in french and "Se déconnecter" in french
    client.post(SWITCH, {"language": "en", "next": "/fr/registrations/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_french_accept_language_decides_only_the_first_visit(client):
    # No cookie yet: the browser's preference sends a French reader to /fr/.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9").status_code == 200
    assert client.get("/fr/", HTTP_ACCEPT_LANGUAGE="en-CA").status_code == 200
    # Other pages follow their address alone.
    assert client.get("/programs/", HTTP_ACCEPT_LANGUAGE="fr-CA").status_code == 200
    # Once English is chosen, a French browser stays on /.
    client.post(SWITCH, {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert response.status_code == 200
    assert '<html lang="en-CA">' in response.content.decode()
    # Once French is chosen, an English browser is sent to /fr/.
    client.post(SWITCH, {"language": "fr", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9")
    assert response["Location"] == "/fr/"


def test_french_sign_in_and_out_stay_in_french(client):
    user = UserFactory()
    response = client.post(
        "/fr/accounts/login/", {"login": user.email, "password": "correct horse battery"}
    )
    assert response["Location"] == "/fr/registrations/"
    response = client.post("/fr/accounts/logout/")
    assert response["Location"] == "/fr/"
    english = UserFactory()
    response = client.post(
        "/accounts/login/", {"login": english.email, "password": "correct horse battery"}
    )
    assert response["Location"] == "/registrations/"


def test_french_page_not_found_is_in_french(client):
    response = client.get("/fr/programs/no-such-program/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr-CA">' in html
    assert "Page introuvable" in html and "Page not found" not in html
    assert "Écrivez-nous à" in html


def test_french_sitemap_lists_both_languages_of_each_program(client, settings):
    ProgramFactory(slug="winter-msc")
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/programs/winter-msc/</loc>" in xml
    assert "<loc>http://testserver/fr/programs/winter-msc/</loc>" in xml
    assert 'hreflang="fr" href="http://testserver/fr/programs/winter-msc/"' in xml
    assert 'hreflang="x-default" href="http://testserver/programs/winter-msc/"' in xml


def test_french_switch_works_from_the_shared_copy_of_a_program_page(django_assert_num_queries):
    """The anonymous program page is cached per language and shared: its header's switch
    carries each visitor's own CSRF token and no one's query string."""
    from django.test import Client

    ProgramFactory(slug="winter-msc")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/fr/programs/winter-msc/?secret=first-visitor")
    with django_assert_num_queries(0):  # the shared copy
        page = second.get("/fr/programs/winter-msc/").content.decode()
    assert "first-visitor" not in page and "visitor-csrf-token" not in page
    switch = page.split('action="/language/"', 1)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switch).group(1)
    response = second.post(
        SWITCH, {"csrfmiddlewaretoken": token, "language": "en", "next": "/fr/programs/winter-msc/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/programs/winter-msc/"
