"""How often one client, or one email address, may use a form that holds a seat or sends
an email: registering (a 30-minute hold) and joining a waitlist.

Counted in Django's cache: Redis when REDIS_URL is set, so every web process and machine
shares one count. Windows are fixed ("5/h" is five attempts per clock hour): a burst at
the edge of two windows can reach twice the limit, which is still small, and in exchange
a refusal can say exactly when the window ends. The limits are settings
(`FORM_RATE_LIMITS`); the client is `omwellness.client_ip`'s, keyed by hash like the
email, so neither an address nor an email is written into the cache.
"""

import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

LIMIT = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def limit_parse(text: str) -> Limit:
    """'5/h', '20/10m', '3/300s' (allauth's notation) as a Limit."""
    match = LIMIT.fullmatch(text)
    if match is None:
        raise ValueError(f"A rate limit reads like '5/h' or '20/10m', not {text!r}.")
    count, multiple, unit = match.groups()
    return Limit(count=int(count), seconds=int(multiple or 1) * UNIT_SECONDS[unit])


def rate_limits_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every limit in FORM_RATE_LIMITS reads as a limit (a Django system check)."""
    errors: list[checks.CheckMessage] = []
    for scope, limits in settings.FORM_RATE_LIMITS.items():
        for kind in ("client", "email"):
            try:
                limit_parse(limits[kind])
            except (KeyError, ValueError) as error:
                errors.append(
                    checks.Error(
                        f"FORM_RATE_LIMITS[{scope!r}][{kind!r}]: {error}", id="omwellness.E001"
                    )
                )
    return errors


@dataclass(frozen=True)
class Refusal:
    """Too many attempts; the next window opens in `retry_after` seconds."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _key(scope: str, kind: str, value: str, window: int) -> str:
    digest = salted_hmac("omwellness.rate_limit", value, algorithm="sha256").hexdigest()[:32]
    return f"rl:{scope}:{kind}:{digest}:{window}"


def _count(key: str, seconds: int) -> int | None:
    """One more attempt in this window; None when the cache cannot be reached."""
    if cache.add(key, 1, timeout=seconds + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between add and incr: a new window
        cache.set(key, 1, timeout=seconds + 1)
        return 1


def rate_limit_attempt(*, scope: str, client: str, email: str) -> Refusal | None:
    """Counts one attempt at `scope` ("register", "waitlist") by this client and for this
    email address; a Refusal when either is over its limit, else None.

    The client's limit is checked first and an attempt it refuses does not count against
    the email address, so one client cannot use up another person's attempts faster
    than its own limit allows.
    """
    limits = settings.FORM_RATE_LIMITS[scope]
    now = time.time()
    for kind, value in (("client", client), ("email", email.strip().lower())):
        limit = limit_parse(limits[kind])
        window = int(now // limit.seconds)
        count = _count(_key(scope, kind, value, window), limit.seconds)
        if count is None:
            # Redis is down. Registration stays open rather than closing the centre's
            # doors: the per-client cap on live holds (decided in the database under the
            # program lock) still bounds what one client can take meanwhile.
            logger.warning("Rate limit %s/%s not counted: the cache is unreachable", scope, kind)
            continue
        if count > limit.count:
            return Refusal(retry_after=max(1, math.ceil((window + 1) * limit.seconds - now)))
    return None
