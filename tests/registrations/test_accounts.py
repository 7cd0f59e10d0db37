"""Accounts: email is the login, a code by email first, verified emails own registrations."""

import os
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.urls import reverse

from omwellness.models import User
from registrations import services
from registrations.accounts import user_for_email

from ..factories import ProgramFactory, RegistrationFactory, UserFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_from(message) -> str:
    lines = [line.strip() for line in message.body.splitlines()]
    return lines[lines.index("Your sign-in code:") + 2]


def sign_in_by_code(client, email, mailoutbox):
    response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 302
    code = code_from(mailoutbox[-1])
    return client.post(reverse("account_confirm_login_code"), {"code": code})


def test_sign_in_page_offers_the_emailed_code_first_then_the_password(client):
    page = client.get(reverse("account_login")).content.decode()
    code_form = page.index(f'action="{reverse("account_request_login_code")}')
    password_form = page.index('name="password"')
    assert code_form < password_form
    # The site's own layout, and a visible label for every input.
    assert 'class="brand"' in page and "css/site.css" in page
    for input_id in re.findall(r'<input[^>]+type="(?:email|password)"[^>]*id="([^"]+)"', page):
        assert f'for="{input_id}"' in page


def test_signing_in_by_code_shows_registrations_made_before_with_that_email(client, mailoutbox):
    person = UserFactory(email="ada@example.com")
    earlier = RegistrationFactory(email="Ada@Example.com", program=ProgramFactory(title="MSC"))

    response = sign_in_by_code(client, "ada@example.com", mailoutbox)

    assert response.status_code == 302
    assert mailoutbox[-1].subject == "omwellness: Your sign-in code"
    earlier.refresh_from_db()
    assert earlier.user == person
    page = client.get(reverse("registrations:list")).content.decode()
    assert "MSC" in page


def test_a_wrong_code_does_not_sign_in(client, mailoutbox):
    UserFactory(email="ada@example.com")
    client.post(reverse("account_request_login_code"), {"email": "ada@example.com"})
    client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert is_signed_out(client)


def is_signed_out(client) -> bool:
    response = client.get(reverse("registrations:list"))
    return response.status_code == 302 and reverse("account_login") in response["Location"]


def test_unknown_email_gets_the_same_answer_as_a_known_one(client, mailoutbox):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_request_login_code"), {"email": "known@example.com"})
    client.logout()
    unknown = client.post(reverse("account_request_login_code"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The unknown address is told by email, never on the page.
    assert mailoutbox[-1].to == ["nobody@example.com"]
    assert "sign-in code" not in mailoutbox[-1].body


def test_requesting_codes_is_rate_limited(client, mailoutbox):
    UserFactory(email="ada@example.com")
    url = reverse("account_request_login_code")
    answers = []
    for _ in range(4):
        client.logout()
        answers.append(client.post(url, {"email": "ada@example.com"}))
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert answers[3].status_code == 200
    assert "Too many" in answers[3].content.decode()
    assert len(mailoutbox) == 3


def test_rate_limits_use_a_shared_cache():
    backend = django_settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "django_redis.cache.RedisCache"
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert django_settings.ACCOUNT_RATE_LIMITS is not False
    assert django_settings.ACCOUNT_PREVENT_ENUMERATION is True


def test_password_sign_in_waits_for_the_email_to_be_verified(client, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "email": "bea@example.com",
            "password1": "a calm long pass",
            "password2": "a calm long pass",
        },
    )
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "bea@example.com", "password": "a calm long pass"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert is_signed_out(client)


def test_signing_up_without_a_password_then_verifying_claims_earlier_registrations(
    client, mailoutbox
):
    earlier = RegistrationFactory(email="bea@example.com")
    waiting = WaitlistEntryFactory(email="bea@example.com")

    response = client.post(reverse("account_signup"), {"email": "bea@example.com"})

    assert response.status_code == 302
    person = User.objects.get(email="bea@example.com")
    assert not person.has_usable_password()
    earlier.refresh_from_db()
    assert earlier.user is None  # not before the address is proven
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    client.post(link)
    earlier.refresh_from_db()
    waiting.refresh_from_db()
    assert EmailAddress.objects.get(email="bea@example.com").verified
    assert earlier.user == person
    assert waiting.user == person


def test_password_sign_in_claims_registrations_made_since(client):
    person = UserFactory(email="cy@example.com")
    made_since = RegistrationFactory(email="cy@example.com")
    client.post(
        reverse("account_login"), {"login": "cy@example.com", "password": "correct horse battery"}
    )
    made_since.refresh_from_db()
    assert made_since.user == person


def test_a_registration_for_a_verified_email_belongs_to_that_account_at_once():
    person = UserFactory(email="dee@example.com")
    program = ProgramFactory()
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Dee",
            email="DEE@example.com",
            phone="",
            price_option=program.price_options.first(),
            answers={},
        ),
    )
    assert registration.user == person


def test_an_unverified_address_owns_nothing():
    person = UserFactory(email="eve@example.com", verified=False)
    person.save()
    EmailAddress.objects.create(user=person, email="eve@example.com", verified=False)
    assert user_for_email("eve@example.com") is None
    assert user_for_email("") is None
    assert user_for_email(" EVE@example.com ") is None
    EmailAddress.objects.filter(email="eve@example.com").update(verified=True)
    assert user_for_email(" EVE@example.com ") == person


def test_a_registration_already_owned_stays_with_its_account(client, mailoutbox):
    owner = UserFactory(email="first@example.com")
    theirs = RegistrationFactory(email="shared@example.com", user=owner)
    UserFactory(email="shared@example.com")
    sign_in_by_code(client, "shared@example.com", mailoutbox)
    theirs.refresh_from_db()
    assert theirs.user == owner


def test_account_pages_use_the_site_layout(client, user):
    client.force_login(user)
    for name in ("account_email", "account_change_password", "account_logout"):
        page = client.get(reverse(name)).content.decode()
        assert 'class="site-header"' in page, name
        assert '<main id="content"' in page, name
    client.logout()
    signup = client.get(reverse("account_signup")).content.decode()
    assert "Create an account" in signup and 'for="id_email"' in signup


def test_registering_needs_no_account(client, program):
    page = client.get(reverse("registrations:register", args=[program.slug]))
    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()
