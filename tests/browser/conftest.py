"""The browser journeys' world: Chromium, the live site, its mail, axe and screenshots.

- Chromium is Debian's (`/usr/bin/chromium`, installed by `make test` when missing),
  driven by Playwright's sync API; one browser for the whole package, a fresh context
  for every person in every journey.
- The site is pytest-django's live server (a transactional database) with the Stripe
  stand-in in front of its payments, delivering signed webhooks to it as Stripe would,
  and SITE_URL pointing at it so emailed links lead back to it.
- With REDIS_URL set on PostgreSQL (CI) a real Celery worker sends the site's emails
  to an SMTP stand-in; otherwise tasks run eagerly after commit into Django's locmem
  outbox. Sign-in codes are sent by the web process itself, so they are always there.
- `look(page, name)` runs axe-core on the page at 390 and 1280 px, fails on a serious
  or critical violation, records the results for the summary at the end of the run,
  and writes var/screenshots/<journey>/<step>-<name>-<width>.png.
"""

import email
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.utils import getaddresses
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.db import connection
from playwright.sync_api import Browser, Page, sync_playwright

from devtools.screenshots import CHROMIUM, CHROMIUM_ARGS
from devtools.stripe_standin import StripeStandin

from ..celery_processes import ROOT, celery_worker
from ..smtp_standin import SMTPStandIn
from ..stripe_fixtures import API_KEY, WEBHOOK_SECRET
from . import axe_report

SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = (390, 1280)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MAIL_TIMEOUT = 30


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if not axe_report.CHECKS:
        return
    terminalreporter.section("axe-core, per page of the browser journeys")
    for line in axe_report.summary_lines(axe_report.CHECKS):
        terminalreporter.write_line(line)
    report = SCREENSHOTS / "axe-results.txt"
    axe_report.write(report, axe_report.CHECKS)
    terminalreporter.write_line(f"Screenshots and {report.name}: {SCREENSHOTS}")


# The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """One Chromium for every journey.

    Playwright's sync API keeps an asyncio loop running on this thread, which makes
    Django refuse database calls from the test itself; the journeys need those (to
    set up data and to read what the site wrote), so the check is off while the
    browser is up, as pytest-playwright users do.
    """
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def visitor(browser: Browser) -> Callable[..., Page]:
    """`visitor()` opens a page for one more person: their own cookies, a desktop screen
    unless `phone=True`, a browser set to Canadian English unless `locale` says otherwise."""
    contexts = []

    def open_page(*, phone: bool = False, locale: str = "en-CA") -> Page:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
            timezone_id="America/Toronto",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# Axe and screenshots ----------------------------------------------------------------------


class Camera:
    """Checks and photographs each page of one journey, numbered in the order seen."""

    def __init__(self, journey: str):
        self.journey = journey
        self.folder = SCREENSHOTS / journey
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.step = 0
        self.axe = Axe()

    def look(self, page: Page, name: str) -> None:
        """axe-core and a full-page screenshot at each width; the page's own size after."""
        self.step += 1
        page.wait_for_load_state("load")
        own_size = page.viewport_size
        checks = []
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": own_size["height"]})
                results = self.axe.run(page).response
                checks.append(
                    axe_report.page_check(
                        journey=self.journey,
                        page=name,
                        url=page.url,
                        width=width,
                        results=results,
                    )
                )
                page.screenshot(
                    path=self.folder / f"{self.step:02d}-{name}-{width}.png", full_page=True
                )
        finally:
            page.set_viewport_size(own_size)
        failing = [violation for check in checks for violation in check.failing]
        assert not failing, f"axe on {name} ({page.url}):\n" + "\n".join(
            sorted({violation.describe() for violation in failing})
        )


@pytest.fixture
def look(request) -> Callable[..., None]:
    journey = request.node.name.removeprefix("test_")
    return Camera(journey).look


# Mail -------------------------------------------------------------------------------------


SENT_BY_SITE = "the site's own process"
SENT_BY_WORKER = "a Celery worker"


@dataclass(frozen=True)
class Letter:
    to: tuple[str, ...]
    subject: str
    text: str
    attachments: dict[str, bytes]
    sent_by: str


def _letter(raw: bytes, *, sent_by: str) -> Letter:
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    return Letter(
        sent_by=sent_by,
        to=tuple(address.lower() for _, address in getaddresses(message.get_all("To", []))),
        subject=str(message["Subject"]),
        text=body.get_content() if body is not None else "",
        attachments={
            part.get_filename(): part.get_payload(decode=True)
            for part in message.iter_attachments()
        },
    )


class Inbox:
    """Every email the site sent in this journey, however it left."""

    def __init__(self, smtp: SMTPStandIn | None):
        self.smtp = smtp
        self.clear()

    def clear(self) -> None:
        mail.outbox.clear()
        if self.smtp is not None:
            self.smtp.messages.clear()

    def letters(self) -> list[Letter]:
        letters = [
            _letter(message.message().as_bytes(), sent_by=SENT_BY_SITE)
            for message in list(mail.outbox)
        ]
        if self.smtp is not None:
            letters += [
                _letter(message.as_bytes(), sent_by=SENT_BY_WORKER)
                for message in list(self.smtp.messages)
            ]
        return letters

    def find(self, *, to: str, subject: str) -> list[Letter]:
        return [
            letter
            for letter in self.letters()
            if to.lower() in letter.to and subject.lower() in letter.subject.lower()
        ]

    def wait_for(self, *, to: str, subject: str, timeout: float = MAIL_TIMEOUT) -> Letter:
        """The latest email to `to` whose subject contains `subject`, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(to=to, subject=subject)
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                sent = [f"{letter.to} {letter.subject}" for letter in self.letters()]
                raise AssertionError(f"No email to {to} about {subject!r}; sent: {sent}")
            time.sleep(0.1)


@pytest.fixture(scope="package")
def smtp_and_worker(django_db_setup):
    """A real Celery worker on Redis sending to an SMTP stand-in, when CI has both.

    Package-scoped: started once for the journeys and stopped before any other test
    module runs, so it never takes tasks meant for another test's worker.
    """
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        yield None
        return
    with SMTPStandIn() as smtp, celery_worker(redis_url=redis_url, email_url=smtp.url):
        yield smtp


# The live site ----------------------------------------------------------------------------


@dataclass
class LiveSite:
    url: str
    stripe: StripeStandin
    inbox: Inbox

    @property
    def sends_mail_by(self) -> str:
        """Who sends the outbox's emails: a real worker in CI, this process otherwise."""
        return SENT_BY_SITE if self.inbox.smtp is None else SENT_BY_WORKER

    def wait_for_webhooks(self) -> None:
        """Every event so far reached the site and was answered 2xx (after retries)."""
        assert self.stripe.wait_for_deliveries(timeout=20), "webhooks still undelivered"
        assert not self.stripe.undelivered, f"webhooks given up: {self.stripe.undelivered}"


@pytest.fixture
def site(live_server, settings, smtp_and_worker, celery_eager) -> LiveSite:
    """The site as a visitor reaches it, with Stripe and email behind it."""
    from omwellness.celery import app

    stripe = StripeStandin(
        api_key=API_KEY,
        webhook_secret=WEBHOOK_SECRET,
        webhook_url=live_server.url + "/stripe/webhook/",
        # A busy SQLite may answer 503 for a moment; Stripe retries, so does this.
        retry_delays=(0.05, 0.1, 0.2, 0.5, 1, 2, 4),
    )
    stripe.start()
    settings.STRIPE_API_BASE = stripe.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = live_server.url
    app.conf.task_always_eager = smtp_and_worker is None
    try:
        yield LiveSite(url=live_server.url, stripe=stripe, inbox=Inbox(smtp_and_worker))
    finally:
        stripe.stop()
