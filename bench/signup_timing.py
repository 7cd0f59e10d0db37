"""Benchmark: how long sign-up takes for a new address and for one that has an account.

    .venv/bin/python -m bench.signup_timing                  # SQLite in memory
    DATABASE_URL=postgres://… .venv/bin/python -m bench.signup_timing --rounds 60
    .venv/bin/python -m bench.signup_timing --stock-form     # allauth's form, for comparison

Posts the real sign-up form in-process (Django's test client, the site's settings, the
real password hasher), alternating a new address and a taken one so that drift hits
both alike, and prints the median time of each and their difference. A stranger who
could see a difference above the noise would learn which addresses have accounts.
Runs in a throwaway test database (test_<name>), never in the one configured.
"""

import argparse
import os
import statistics
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="sign-ups of each kind")
    parser.add_argument(
        "--stock-form",
        action="store_true",
        help="allauth's own sign-up form, which does not hash for a taken address",
    )
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omwellness.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    if options.stock_form:
        settings.ACCOUNT_FORMS = {
            key: value for key, value in settings.ACCOUNT_FORMS.items() if key != "signup"
        }
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} ({name})")
        print(f"hasher: {settings.PASSWORD_HASHERS[0]}")
        form = "allauth's stock form" if options.stock_form else "the site's form"
        print(f"sign-up form: {form}")
        measure(options.rounds)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


# Addresses new to every run: allauth limits how often one address is mailed (the
# rate limits live in the cache, which outlives the throwaway database), and a sign-up
# whose email was skipped would look cheaper than it is.
RUN = uuid.uuid4().hex[:8]


def taken_addresses(count: int) -> list[str]:
    """Accounts with verified addresses, made directly (one hash shared, to save time)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from omwellness.models import User

    password = make_password("an existing password")
    users = User.objects.bulk_create(
        User(email=f"taken{n}-{RUN}@example.com", password=password) for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return [user.email for user in users]


def sign_up(email: str, n: int) -> float:
    from django.core import mail
    from django.test import Client
    from django.urls import reverse

    password = "a calm long pass 2026"  # noqa: S105 - a throwaway account's
    client = Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    started = time.perf_counter()
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"sign-up answered {response.status_code}")
    if len(mail.outbox) != 1:  # a skipped email would make that sign-up look cheap
        raise SystemExit(f"a sign-up sent {len(mail.outbox)} emails instead of one")
    mail.outbox = []
    return seconds


def measure(rounds: int) -> None:
    taken = taken_addresses(rounds + 2)
    for n in range(2):  # warm up: imports, templates, connections
        sign_up(f"warm{n}-{RUN}@example.com", n)
        sign_up(taken.pop(), n + 2)
    new_times: list[float] = []
    taken_times: list[float] = []
    for n in range(rounds):
        # Alternate which goes first, so neither kind always follows the other.
        pair = [("new", f"new{n}-{RUN}@example.com"), ("taken", taken[n])]
        for kind, email in pair if n % 2 == 0 else reversed(pair):
            seconds = sign_up(email, 10 + 2 * n + (kind == "taken"))
            (new_times if kind == "new" else taken_times).append(seconds)

    new_median = statistics.median(new_times)
    taken_median = statistics.median(taken_times)
    spread = statistics.median(abs(t - new_median) for t in new_times)
    print(f"\nsign-ups of each kind: {rounds}")
    print(f"{'address':<8} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for label, times in (("new", new_times), ("taken", taken_times)):
        print(
            f"{label:<8} {statistics.median(times) * 1000:>10.1f}"
            f" {min(times) * 1000:>8.1f} {max(times) * 1000:>8.1f}"
        )
    pairs = zip(new_times, taken_times, strict=True)
    paired = statistics.median(new - taken for new, taken in pairs)
    print(f"difference of the medians (new - taken): {(new_median - taken_median) * 1000:.1f} ms")
    print(f"median difference within a pair (new - taken): {paired * 1000:.1f} ms")
    print(f"median absolute deviation of new sign-ups (noise): {spread * 1000:.1f} ms")


if __name__ == "__main__":
    main()
