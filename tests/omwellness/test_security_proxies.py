"""Behind proxies, every per-client limit keys on the real client (DJANGO_TRUSTED_PROXY_COUNT)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from omwellness.client_ip import client_ip

from ..factories import UserFactory

LOAD_BALANCER = "10.0.0.2"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def behind_proxies(settings, count: int) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count


def request_with(forwarded_for: str | None, remote: str = LOAD_BALANCER):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_security_client_ip_ignores_what_the_client_wrote_left_of_the_proxies(settings):
    behind_proxies(settings, 1)
    # The client forged two entries; the load balancer appended the address it saw.
    assert client_ip(request_with("1.2.3.4, 5.6.7.8, 198.51.100.7")) == "198.51.100.7"
    behind_proxies(settings, 2)
    # A CDN appended the client, the load balancer appended the CDN's edge.
    assert client_ip(request_with("1.2.3.4, 198.51.100.7, 203.0.113.40")) == "198.51.100.7"
    assert client_ip(request_with("1.2.3.4 , 2001:db8::1 , 203.0.113.40")) == "2001:db8::1"


def test_security_client_ip_falls_back_to_the_connection_on_too_few_hops(settings):
    behind_proxies(settings, 2)
    assert client_ip(request_with("198.51.100.7")) == LOAD_BALANCER
    assert client_ip(request_with("")) == LOAD_BALANCER
    assert client_ip(request_with(None)) == LOAD_BALANCER


def test_security_client_ip_refuses_a_hop_that_is_not_an_address(settings):
    behind_proxies(settings, 1)
    assert client_ip(request_with("198.51.100.7, not-an-address")) == LOAD_BALANCER
    assert client_ip(request_with("198.51.100.7, ")) == LOAD_BALANCER


def test_security_client_ip_trusts_no_header_by_default(settings):
    behind_proxies(settings, 0)
    assert client_ip(request_with("198.51.100.7")) == LOAD_BALANCER


def fail_logins_from(client, forwarded_for: str, attempts: int) -> None:
    for n in range(attempts):
        # A new address each time, so only the per-client limit (10 a minute) counts.
        response = client.post(
            reverse("account_login"),
            {"login": f"guess{n}@example.com", "password": "wrong"},
            REMOTE_ADDR=LOAD_BALANCER,
            headers={"X-Forwarded-For": forwarded_for},
        )
        assert response.status_code == 200


def sign_in_from(client, forwarded_for: str, user):
    return client.post(
        reverse("account_login"),
        {"login": user.email, "password": "correct horse battery"},
        REMOTE_ADDR=LOAD_BALANCER,
        headers={"X-Forwarded-For": forwarded_for},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "chain"),
    [
        (1, "{client}"),  # a load balancer
        (2, "6.6.6.6, {client}, 203.0.113.40"),  # a CDN, then the load balancer; one forged
    ],
)
def test_security_failed_logins_from_one_client_do_not_lock_out_another_behind_the_proxy(
    client, settings, proxies, chain
):
    behind_proxies(settings, proxies)
    person = UserFactory()
    fail_logins_from(client, chain.format(client="198.51.100.7"), attempts=10)

    refused = sign_in_from(client, chain.format(client="198.51.100.7"), person)
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()

    # Someone else behind the same proxies signs in as usual.
    signed_in = sign_in_from(client, chain.format(client="198.51.100.8"), person)
    assert signed_in.status_code == 302
    assert client.get(reverse("registrations:list")).status_code == 200


@pytest.mark.django_db
def test_security_without_the_setting_every_client_behind_the_proxy_shares_one_address(
    client, settings
):
    behind_proxies(settings, 0)
    person = UserFactory()
    fail_logins_from(client, "198.51.100.7", attempts=10)

    refused = sign_in_from(client, "198.51.100.8", person)
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()


@pytest.mark.django_db
def test_security_a_short_forwarded_header_never_fails_sign_in(client, settings):
    """allauth's own reading of the header fails with a server error when a request
    carries fewer hops than configured; the site's rule falls back to the connection."""
    behind_proxies(settings, 2)
    person = UserFactory()
    assert sign_in_from(client, "198.51.100.7", person).status_code == 302
