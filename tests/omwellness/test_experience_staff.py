"""What facilitators and staff meet when they sign in: they land where their work is,
staff find the admin in the header, and every page carries the logo, a favicon and a
social preview image."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from ..factories import FacilitatorFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's


def sign_in(client, user, **query):
    url = reverse("account_login")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"login": user.email, "password": PASSWORD})


def test_experience_a_participant_lands_on_my_registrations(client):
    response = sign_in(client, UserFactory())
    assert response["Location"] == "/registrations/"


def test_experience_a_facilitator_lands_on_their_programs(client):
    teacher = UserFactory()
    FacilitatorFactory(user=teacher)
    response = sign_in(client, teacher)
    assert response["Location"] == reverse("facilitate:program_list")


def test_experience_staff_land_on_the_admin(client):
    response = sign_in(client, UserFactory(is_staff=True))
    assert response["Location"] == reverse("admin:index")


def test_experience_a_next_given_with_the_sign_in_wins(client):
    staff = UserFactory(is_staff=True)
    response = sign_in(client, staff, next="/registrations/")
    assert response["Location"] == "/registrations/"


def test_experience_staff_have_an_admin_link_in_the_header(client):
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("programs:list")).content.decode()
    assert f'<a href="{reverse("admin:index")}">Admin</a>' in page
    client.force_login(UserFactory())
    assert ">Admin</a>" not in client.get(reverse("programs:list")).content.decode()


def test_experience_pages_carry_logo_favicon_and_social_preview(client):
    page = client.get(reverse("programs:list")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    # Absolute, on the site's own address: previews are fetched by other servers.
    assert (
        f'property="og:image" content="{settings.SITE_URL}/static/img/social-preview.png"' in page
    )
    assert 'property="og:image:alt"' in page
    assert 'src="/static/img/logo.svg" alt="omwellness"' in page
    for name in ("img/favicon.svg", "img/logo.svg", "img/social-preview.png"):
        assert finders.find(name), name
    with open(finders.find("img/social-preview.png"), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


def test_experience_sign_in_pages_speak_in_the_sites_words(client, mailoutbox):
    login = client.get(reverse("account_login")).content.decode()
    assert "Keep me signed in on this device" in login
    assert "Remember Me" not in login

    client.post(reverse("account_request_login_code"), {"email": "code@example.com"})
    UserFactory(email="code@example.com")
    client.post(reverse("account_request_login_code"), {"email": "code@example.com"})
    code_page = client.get(reverse("account_confirm_login_code")).content.decode()
    assert "<h1>Type your sign-in code</h1>" in code_page
    assert "Enter Sign-In Code" not in code_page
    assert "Confirm and sign in" in code_page


def test_experience_confirming_an_email_says_thank_you(client, mailoutbox):
    client.post(reverse("account_signup"), {"email": "new@example.com"})
    link = next(word for word in mailoutbox[-1].body.split() if "/accounts/confirm-email/" in word)
    page = client.get(link).content.decode()
    assert "<h1>Confirm your email address</h1>" in page
    confirmed = client.post(link, follow=True).content.decode()
    assert "Thank you: new@example.com is confirmed." in confirmed
    assert "You have confirmed" not in confirmed
