"""The production stack, smoke-tested: the Procfile's commands, run as the README says.

Starts exactly the Procfile's lines (release, web, worker, beat) with the README's
production environment on a PostgreSQL database of its own and a Redis server of its
own, behind a small proxy that plays the TLS-terminating load balancer (it adds
X-Forwarded-Proto: https, so the site's https redirect, HSTS and secure cookies are
all on). The Stripe stand-in, run from the command line, delivers webhooks through
that proxy; the worker sends email by SMTP to a stand-in server. One person then
registers and pays over HTTP, and the test watches the confirmation arrive.
"""

import os
import re
import subprocess
from contextlib import ExitStack

import psycopg
import pytest
import requests
from django.db import connection

from devtools import prodlike

from ..celery_processes import RedisServer, wait_until
from ..forwarding_proxy import ForwardingProxy
from ..helpers import procfile, shell
from ..smtp_standin import SMTPStandIn

pytestmark = pytest.mark.production_stack

ROOT = prodlike.ROOT


def test_readme_shows_the_procfile_commands_as_they_are():
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    for name, command in procfile().items():
        assert f"{name}: {command}" in production, name


# --- The load balancer ------------------------------------------------------------------


class TLSTerminator(ForwardingProxy):
    """Forwards to gunicorn as a load balancer that ended TLS would (minus the TLS)."""

    def __init__(self, upstream_port: int):
        super().__init__(f"http://127.0.0.1:{upstream_port}")

    def request_headers(self, handler) -> dict[str, str]:
        return {
            "Host": handler.headers["Host"],  # a load balancer passes the site's host on
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": handler.client_address[0],
        }


# --- The stack ----------------------------------------------------------------------------


def stack_database_url() -> str:
    """A database of its own beside the one the tests use, recreated on each run."""
    db = connection.settings_dict
    name = (db["NAME"] or "omwellness").removeprefix("test_") + "_stack"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PROGRAM = """
from datetime import timedelta
from django.utils import timezone
from programs.models import PriceOption, Program, Session
program = Program.objects.create(slug="winter-calm", title="Winter Calm", summary="Calm.",
    format="online", capacity=10, status="published", meeting_link="https://meet.example.com/x")
start = timezone.now() + timedelta(days=40)
Session.objects.create(program=program, title="Week 1", starts_at=start,
    ends_at=start + timedelta(hours=2))
PriceOption.objects.create(program=program, label="Standard", amount_cents=45000)
"""


class BrowserBehindTLS(requests.Session):
    """A browser on https sends back the cookies marked Secure. This one talks plain http
    to the proxy, so before each request it checks that every cookie the site set came
    marked Secure, then lifts the mark so the cookie goes back."""

    def __init__(self):
        super().__init__()
        self.secure_cookies: set[str] = set()

    def request(self, *args, **kwargs):
        for cookie in self.cookies:
            if cookie.secure:
                self.secure_cookies.add(cookie.name)
                cookie.secure = False
            assert cookie.name in self.secure_cookies, cookie.name
        return super().request(*args, **kwargs)


def registration_status(database_url: str, reference: str) -> str | None:
    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT status FROM registrations_registration WHERE reference = %s", [reference]
        ).fetchone()
    return row[0] if row else None


@pytest.mark.postgres
def test_the_documented_stack_takes_a_paid_registration_end_to_end(tmp_path):
    commands = procfile()
    database_url = stack_database_url()
    prodlike.reset_database(database_url)
    web_port, standin_port = prodlike.free_port(), prodlike.free_port()
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "beat", "standin")}

    with ExitStack() as stack:
        stack.callback(drop_database, database_url)
        redis = stack.enter_context(RedisServer(prodlike.free_port()))
        redis.start()
        smtp = stack.enter_context(SMTPStandIn())
        proxy = stack.enter_context(TLSTerminator(web_port))
        site = f"http://127.0.0.1:{proxy.port}"
        # The README's production variables, pointed at this machine.
        env = prodlike.production_env(
            DJANGO_SECRET_KEY="stack-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            # On, as with DEBUG off by default (the helper turns them off for plain http).
            DJANGO_SECURE_SSL_REDIRECT="true",
            DJANGO_SECURE_COOKIES="true",
            DJANGO_STATIC_ROOT=str(tmp_path / "static"),
            DJANGO_LOG_LEVEL="INFO",
            SITE_URL=site,
            DATABASE_URL=database_url,
            REDIS_URL=redis.url,
            EMAIL_URL=smtp.url,
            STRIPE_SECRET_KEY="sk_test_stack",
            STRIPE_WEBHOOK_SECRET="whsec_stack",
            STRIPE_API_BASE=f"http://127.0.0.1:{standin_port}",
            WEB_BIND=f"127.0.0.1:{web_port}",
            WEB_CONCURRENCY="2",
            WORKER_CONCURRENCY="2",
            BEAT_SCHEDULE_FILE=str(tmp_path / "celerybeat-schedule"),
            PATH=f"{prodlike.BIN}:{os.environ['PATH']}",
            PYTHONUNBUFFERED="1",
        )

        release = subprocess.run(
            ["/bin/sh", "-c", commands["release"]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert release.returncode == 0, release.stdout + release.stderr
        assert "System check identified no issues" in release.stdout
        subprocess.run(
            ["python", "manage.py", "shell", "-c", PROGRAM], cwd=ROOT, env=env, check=True
        )

        standin = [
            "python", "-m", "devtools.stripe_standin", "--port", str(standin_port),
            "--api-key", env["STRIPE_SECRET_KEY"], "--webhook-secret", env["STRIPE_WEBHOOK_SECRET"],
            "--webhook-url", f"{site}/stripe/webhook/",
        ]  # fmt: skip
        opened = {name: stack.enter_context(path.open("w")) for name, path in logs.items()}
        stack.enter_context(prodlike.process(standin, env, log=opened["standin"]))
        for name in ("worker", "beat"):
            stack.enter_context(prodlike.process(shell(commands[name]), env, log=opened[name]))
        stack.enter_context(
            prodlike.process(
                shell(commands["web"]), env, ready_url=f"{site}/healthz/", log=opened["web"]
            )
        )
        wait_until(lambda: "ready." in logs["worker"].read_text(), what="the worker", timeout=60)

        try:
            check_a_paid_registration(site, database_url, smtp)
            check_static_files_and_headers(site, web_port)
            assert "beat: Starting..." in logs["beat"].read_text()
        except AssertionError:
            for name, path in logs.items():
                print(f"--- {name} ---\n{path.read_text()[-4000:]}")
            raise


def check_a_paid_registration(site: str, database_url: str, smtp: SMTPStandIn) -> None:
    browser = BrowserBehindTLS()
    assert "Winter Calm" in browser.get(f"{site}/programs/winter-calm/").text
    form_url = f"{site}/programs/winter-calm/register/"
    form = browser.get(form_url)
    price = re.search(r'name="price_option" value="(\d+)"', form.text).group(1)
    posted = browser.post(
        form_url,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "name": "Ada Example",
            "email": "ada@example.com",
            "price_option": price,
            "agree": "on",
        },
        # A browser on https sends the page it came from; Django checks it.
        headers={"Referer": form_url.replace("http://", "https://")},
        allow_redirects=False,
    )
    assert posted.status_code == 303, posted.text[:3000]
    checkout_url = posted.headers["Location"]
    assert "CA$450.00" in browser.get(checkout_url).text
    paid = browser.post(
        checkout_url,
        data={
            "card_number": "4242 4242 4242 4242",
            "card_expiry": "12 / 34",
            "card_cvc": "123",
            "card_name": "Ada Example",
        },
        allow_redirects=False,
    )
    success_url = paid.headers["Location"]
    reference = re.search(r"OMW-[0-9A-Z]{5}", success_url).group(0)

    # The webhook, not the success page (not yet visited), confirms the seat.
    wait_until(
        lambda: registration_status(database_url, reference) == "confirmed",
        what="the webhook to confirm the registration",
        timeout=30,
    )
    assert "You're registered" in browser.get(success_url).text
    assert {"csrftoken", "omw_registrations"} <= browser.secure_cookies
    wait_until(lambda: smtp.messages, what="the confirmation email", timeout=60)
    with psycopg.connect(database_url) as db:
        (sent,) = db.execute(
            "SELECT count(*) FROM outbox_outboundemail WHERE status = 'sent'"
        ).fetchone()
    assert sent == 1
    (message,) = smtp.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == f"You're registered: Winter Calm ({reference})"


def check_static_files_and_headers(site: str, web_port: int) -> None:
    unproxied = requests.get(f"http://127.0.0.1:{web_port}/programs/", allow_redirects=False)
    assert unproxied.status_code == 301
    assert unproxied.headers["Location"] == f"https://127.0.0.1:{web_port}/programs/"
    page = requests.get(f"{site}/programs/")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Secure" in requests.get(f"{site}/accounts/login/").headers["Set-Cookie"]

    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text).group(1)
    hashed = requests.get(site + stylesheet, headers={"Accept-Encoding": "gzip"})
    assert hashed.status_code == 200 and hashed.headers["Content-Type"].startswith("text/css")
    assert hashed.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert hashed.headers["Content-Encoding"] == "gzip"
    unhashed = requests.get(f"{site}/static/css/site.css")
    assert unhashed.status_code == 200 and unhashed.text == hashed.text
