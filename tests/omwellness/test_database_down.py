"""While the database is down: a calm 503 page, what was typed kept, and recovery on its own.

The database is made unreachable for the requests of a test by pointing the connection at
a port nobody listens on, as when PostgreSQL has stopped; the app is not patched. The
500 page is checked the same way: drawn with the database out of reach.
"""

import logging
import re
import socket
import subprocess
import threading
from contextlib import contextmanager, suppress

import pytest
import requests
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from devtools import prodlike
from devtools.prodlike import free_port
from omwellness import urls as project_urls
from registrations.models import Registration, WaitlistEntry

from ..celery_processes import process_env, subprocess_database_url
from ..factories import ProgramFactory, RegistrationFactory
from ..helpers import form_data

pytestmark = [pytest.mark.postgres, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

CALM = "We could not reach our records just now"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@contextmanager
def database_unreachable():
    """PostgreSQL out of reach until the block ends: the connection is closed and
    pointed at a closed port, so the next query fails to connect."""
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(free_port())
    try:
        yield
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved


def kept_fields(page: str) -> list[tuple[str, str]]:
    return [(name, value.replace("&#x27;", "'")) for name, value in HIDDEN.findall(page)]


def test_structure_pages_answer_a_calm_503_while_the_database_is_down_and_then_recover(
    client, user, caplog
):
    program = ProgramFactory(title="Winter Calm")
    signed_in = Client()
    signed_in.force_login(user)  # a session row to read on every request

    with database_unreachable(), caplog.at_level(logging.WARNING, "omwellness.middleware"):
        home = client.get("/")
        detail = client.get(program.get_absolute_url())
        mine = signed_in.get(reverse("registrations:list"))

    for page in (home, detail, mine):
        text = page.content.decode()
        assert page.status_code == 503
        assert page["Retry-After"] == "60"
        assert "no-store" in page["Cache-Control"]
        assert CALM in text and "Please try again in a minute" in text
        assert 'class="site-header"' in text  # the site's own layout
        assert "Send it again" not in text
    assert [r.levelname for r in caplog.records].count("WARNING") == 3

    assert client.get("/").status_code == 200
    assert signed_in.get(reverse("registrations:list")).status_code == 200
    assert "Winter Calm" in client.get(program.get_absolute_url()).content.decode()


def test_structure_a_registration_sent_while_the_database_is_down_is_kept_to_send_again(
    client, stripe_standin
):
    program = ProgramFactory(title="Winter Calm")
    form_url = reverse("registrations:register", args=[program.slug])
    (key,) = re.findall(r'name="submission_key" value="([^"]+)"', client.get(form_url).text)
    answers = form_data(program, name="Ada O'Brien", submission_key=key)

    with database_unreachable():
        down = client.post(form_url, answers)

    assert down.status_code == 503
    assert CALM in down.text and "Send it again" in down.text
    assert f'action="{form_url}"' in down.text
    kept = dict(kept_fields(down.text))
    assert kept == {name: str(value) for name, value in answers.items()}
    assert not Registration.objects.exists()

    again = client.post(form_url, kept)

    assert again.status_code == 303
    assert again["Location"] == next(iter(stripe_standin.checkout_sessions.values()))["url"]
    registration = Registration.objects.get()
    assert registration.name == "Ada O'Brien"


def test_structure_a_waitlist_request_sent_while_the_database_is_down_is_kept(client):
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    join_url = reverse("registrations:waitlist_join", args=[program.slug])

    with database_unreachable():
        down = client.post(join_url, {"name": "Grace Example", "email": "grace@example.com"})

    assert down.status_code == 503
    kept = dict(kept_fields(down.text))
    assert kept == {"name": "Grace Example", "email": "grace@example.com"}
    again = client.post(join_url, kept)
    assert again.status_code == 200 and "grace@example.com" in again.text
    assert WaitlistEntry.objects.get().email == "grace@example.com"


def test_structure_a_sign_in_sent_while_the_database_is_down_is_not_written_back(client):
    with database_unreachable():
        down = client.post(
            reverse("account_login"),
            {"login": "ada@example.com", "password": "a calm long pass 2026"},
        )

    assert down.status_code == 503 and CALM in down.text
    assert "a calm long pass 2026" not in down.text and "Send it again" not in down.text


# --- The 500 page ------------------------------------------------------------------------


def raises(request):
    raise RuntimeError("a defect")


def statement_cancelled(request):
    """A real PostgreSQL OperationalError that is not an outage: a statement timeout."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        try:
            cursor.execute("SELECT pg_sleep(1)")
        finally:
            cursor.execute("SET statement_timeout = 0")
    return HttpResponse("not reached")


def session_saved_after_the_database_went(request):
    """The view succeeds; the session middleware's write after it finds no database."""
    request.session["seen"] = True
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    return HttpResponse("written by the view")


urlpatterns = [
    path("_test/raises/", raises),
    path("_test/statement-cancelled/", statement_cancelled),
    path("_test/session-after/", session_saved_after_the_database_went),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500


@pytest.fixture
def faulty_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_structure_the_500_page_is_in_the_site_layout_and_needs_no_database(faulty_site):
    with database_unreachable():
        response = faulty_site.get("/_test/raises/")

    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert 'class="site-header"' in text and "hello@omwellness.ca" in text


def test_structure_a_database_error_that_is_not_an_outage_is_a_logged_500(faulty_site, caplog):
    with caplog.at_level(logging.ERROR, "django.request"):
        response = faulty_site.get("/_test/statement-cancelled/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and "statement timeout" in str(record.exc_info[1])
    assert client_sees_the_site(faulty_site)


def test_structure_the_database_lost_after_the_view_still_answers_503(faulty_site):
    saved = connection.settings_dict["PORT"]
    try:
        response = faulty_site.get("/_test/session-after/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved

    assert response.status_code == 503 and CALM in response.content.decode()
    assert client_sees_the_site(faulty_site)


def client_sees_the_site(browser: Client) -> bool:
    return browser.get("/").status_code == 200


# --- Over HTTP: PostgreSQL stops under a running site, then comes back -------------------


class TCPRelay:
    """Relays TCP connections on its own port to PostgreSQL. Stopping it refuses new
    connections and cuts the open ones, as a stopped database server does; starting it
    again on the same port is the server back."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            if self._listener is not None:
                # shutdown() wakes the thread blocked in accept(); close() alone does not.
                with suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def __enter__(self) -> "TCPRelay":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def test_structure_a_running_site_answers_503_while_postgresql_is_stopped_and_recovers():
    """The site under gunicorn with persistent connections, as in production, and its
    database behind a relay that is stopped and started: no bare 500, the form's answers
    kept, and the first request after the restart is served."""
    program = ProgramFactory(title="Winter Calm")
    database = connection.settings_dict
    upstream = (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    port = free_port()
    with TCPRelay(upstream) as relay:
        env = process_env(
            DATABASE_URL=subprocess_database_url().replace(
                f"{upstream[0]}:{upstream[1]}", f"127.0.0.1:{relay.port}"
            ),
            DATABASE_CONN_MAX_AGE="60",
            SITE_URL=f"http://127.0.0.1:{port}",
            STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}",  # Stripe out of reach too
            DJANGO_LOG_LEVEL="CRITICAL",
        )
        with prodlike.process(
            prodlike.gunicorn_args(port, workers=1, threads=2),
            env,
            ready_url=f"http://127.0.0.1:{port}/healthz/",
            log=subprocess.DEVNULL,
        ):
            browser = requests.Session()
            form_url = f"http://127.0.0.1:{port}/programs/{program.slug}/register/"
            form = browser.get(form_url)
            assert form.status_code == 200  # a connection is open, and kept
            (key,) = re.findall(r'name="submission_key" value="([^"]+)"', form.text)
            answers = {
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "submission_key": key,
                **form_data(program),
            }

            relay.stop()
            page = browser.get(form_url)
            posted = browser.post(form_url, data=answers, allow_redirects=False)
            relay.start()
            back = browser.get(form_url)

            assert page.status_code == 503 and CALM in page.text
            assert posted.status_code == 503 and "Send it again" in posted.text
            assert back.status_code == 200 and "Register for Winter Calm" in back.text
            kept = kept_fields(posted.text)
            sent_again = browser.post(form_url, data=kept, allow_redirects=False)

    # Stripe is out of reach as well: its own page, once the seat is held.
    assert sent_again.status_code == 503 and "Nothing has been charged" in sent_again.text
    assert Registration.objects.get().email == "ada@example.com"
