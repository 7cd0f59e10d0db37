"""StripeStandin: the server, its background threads, and the controls tests drive it with."""

import collections
import json
import threading

from . import checkout
from .api import StandinHTTPServer, StandinRequestHandler
from .errors import StripeError
from .hosted_page import check_card_number, normalise_card_number
from .store import Store
from .webhooks import DEFAULT_RETRY_DELAYS, WebhookDeliverer

# The version the installed stripe library (16.x) pins; events report it as Stripe would
# report the account's default version.
DEFAULT_API_VERSION = "2026-10-28.endive"
DEFAULT_PORT = 12111


class StripeStandin:
    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        webhook_url=None,
        webhook_secret=None,
        api_key=None,
        deliver_webhooks=True,
        retry_delays=DEFAULT_RETRY_DELAYS,
        public_url=None,
        api_version=DEFAULT_API_VERSION,
        quiet=True,
    ):
        self.host = host
        self.port = port
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.api_key = api_key
        self.deliver_webhooks = deliver_webhooks
        self.api_version = api_version
        self.quiet = quiet
        self._public_url = public_url.rstrip("/") if public_url else None
        self.store = Store(api_version, on_event=self._event_created)
        # Attempts as (event_id, HTTP status or None when the connection failed).
        self.deliveries = []
        # Events whose every delivery attempt failed.
        self.undelivered = []
        self._injected_failures: collections.deque = collections.deque()
        self._deliverer = None
        if webhook_url:
            self._deliverer = WebhookDeliverer(
                webhook_url,
                webhook_secret,
                payload_for=self._event_payload,
                on_attempt=self._delivery_attempted,
                on_give_up=self._delivery_abandoned,
                retry_delays=retry_delays,
            )
            if deliver_webhooks:
                self.store.pending_webhooks_per_event = 1
        self._httpd: StandinHTTPServer | None = None
        self._threads = []
        self._stopping = threading.Event()

    # --- Lifecycle -------------------------------------------------------------------------

    def start(self):
        self._httpd = StandinHTTPServer((self.host, self.port), StandinRequestHandler)
        self._httpd.daemon_threads = True
        self._httpd.standin = self
        self.port = self._httpd.server_address[1]
        self.store.public_url = self.url
        self._stopping.clear()
        self._threads = [
            threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="stripe-standin-http",
                daemon=True,
            ),
            threading.Thread(
                target=self._expire_every_second, name="stripe-standin-expiry", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        if self._deliverer is not None:
            self._deliverer.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._deliverer is not None:
            self._deliverer.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def serve_forever(self):
        """Run in the foreground until interrupted (the command line's mode)."""
        if self._httpd is None:
            self.start()
        try:
            self._stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The base address for API calls and for the hosted pages' links."""
        if self._public_url:
            return self._public_url
        # A server bound to every interface is still reached through loopback.
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def _expire_every_second(self):
        while not self._stopping.wait(1):
            self.store.expire_due()

    # --- State, read by tests ----------------------------------------------------------------

    @property
    def lock(self):
        """Hold it to read several objects consistently while background threads run."""
        return self.store.lock

    @property
    def checkout_sessions(self):
        return self.store.checkout_sessions

    @property
    def payment_intents(self):
        return self.store.payment_intents

    @property
    def charges(self):
        return self.store.charges

    @property
    def refunds(self):
        return self.store.refunds

    @property
    def events(self):
        return self.store.events

    def accepts_api_key(self, key):
        if self.api_key:
            return key == self.api_key
        # Without a configured key any test-mode secret key will do, never a live one.
        return key.startswith(("sk_test_", "rk_test_"))

    # --- Controls: what a customer, a bank or an outage would do -------------------------------

    def pay(self, session_id, card="4242424242424242", name="Test Customer", email=None):
        """Pay as the customer would on the hosted page; True when the payment went through."""
        with self.store.lock:
            session = self.store.get_session(session_id)
            if session["status"] != "open" or check_card_number(card) != "succeeded":
                return False
            if not (session["customer_email"] or email):
                email = "customer@example.com"
            exp_month, exp_year = checkout.card_expiry_for_tests()
            checkout.pay_by_card(
                self.store,
                session,
                normalise_card_number(card),
                exp_month,
                exp_year,
                name=name,
                email=email,
            )
            return True

    def open_payment_link(self, amount, currency="cad", client_reference_id=None, metadata=None):
        """Open a Payment Link as a customer would (with `?client_reference_id=` in its
        address when given); returns the session, which `pay` then pays."""
        return checkout.open_payment_link(
            self.store,
            amount=amount,
            currency=currency,
            client_reference_id=client_reference_id,
            metadata=metadata,
        )

    def complete_async(self, session_id):
        """Finish checkout with a delayed method: complete, payment_status "unpaid"."""
        with self.store.lock:
            session = self._open_session(session_id)
            checkout.complete_with_delayed_payment(self.store, session)
            return session

    def async_succeed(self, session_id):
        with self.store.lock:
            session = self.store.get_session(session_id)
            checkout.settle_delayed_payment(self.store, session, succeeded=True)
            return session

    def async_fail(self, session_id):
        with self.store.lock:
            session = self.store.get_session(session_id)
            checkout.settle_delayed_payment(self.store, session, succeeded=False)
            return session

    def expire_due(self, now=None):
        """Expire open sessions whose expires_at is at or before `now` (a unix time)."""
        return self.store.expire_due(now)

    def fail_next(self, n, status=500):
        """Answer the next `n` API requests with `status` and a Stripe error body.

        Each HTTP request counts, including the stripe library's own retries of a 5xx.
        """
        with self.store.lock:
            self._injected_failures.extend([status] * n)

    def take_injected_failure(self):
        with self.store.lock:
            return self._injected_failures.popleft() if self._injected_failures else None

    def _open_session(self, session_id):
        session = self.store.get_session(session_id)
        if session["status"] != "open":
            raise StripeError(f"Checkout Session {session_id} is {session['status']}, not open.")
        return session

    # --- Webhooks ---------------------------------------------------------------------------

    def redeliver(self, event_id):
        """Send an event again (also when automatic delivery is off); returns at once."""
        self.store.get("event", event_id)
        if self._deliverer is None:
            raise RuntimeError("The stand-in has no webhook_url to deliver to.")
        self._deliverer.enqueue(event_id)

    def wait_for_deliveries(self, timeout=5):
        """Block until every queued delivery succeeded or was given up; False on timeout."""
        if self._deliverer is None:
            return True
        return self._deliverer.wait_until_idle(timeout)

    def _event_created(self, event):
        if self._deliverer is not None and self.deliver_webhooks:
            self._deliverer.enqueue(event["id"])

    def _event_payload(self, event_id):
        with self.store.lock:
            return json.dumps(self.store.events[event_id], indent=2)

    def _delivery_attempted(self, event_id, status):
        with self.store.lock:
            self.deliveries.append((event_id, status))
            if status is not None and 200 <= status < 300:
                self.store.events[event_id]["pending_webhooks"] = 0

    def _delivery_abandoned(self, event_id):
        with self.store.lock:
            self.undelivered.append(event_id)
