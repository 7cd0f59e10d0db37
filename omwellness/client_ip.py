"""The address of the person at the other end, as every per-client limit sees it.

Behind N proxies that each append to X-Forwarded-For, the client is the N-th address
from the right: everything left of it was written by the client and can be forged.
`DJANGO_TRUSTED_PROXY_COUNT` sets N (0, the default, trusts no header). allauth's rate
limits read the same setting (`ALLAUTH_TRUSTED_PROXY_COUNT`) and this function through
the account adapter, so sign-in and the site's own limits key on the same address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address. A header with fewer hops than there are proxies, or a hop
    that is not an address, was not written by our proxies: the connection's own
    address is used then, so a malformed header can neither fail the request nor pick
    the key it is limited under."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if count > 0 and forwarded:
        hops = forwarded.split(",")
        if len(hops) >= count and (address := _address(hops[-count])):
            return address
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_hash(request: HttpRequest) -> str:
    """The client's address as a keyed hash: the same client always gives the same value,
    so holds can be counted per client, yet what is stored on a registration cannot be
    turned back into an address without the secret key."""
    return salted_hmac("omwellness.client", client_ip(request), algorithm="sha256").hexdigest()
