"""Signing and delivering webhook events the way Stripe does."""

import collections
import hashlib
import hmac
import threading
import time
import urllib.error
import urllib.request

# Stripe retries failed deliveries for days; these waits keep the same shape in seconds.
DEFAULT_RETRY_DELAYS = (0.5, 1, 2, 4, 8)


def signature_header(payload, secret, timestamp=None):
    """The `Stripe-Signature` header: `t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`."""
    if timestamp is None:
        timestamp = int(time.time())
    signed = f"{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookDeliverer:
    """One worker thread posting events in the order they were queued, retrying failures.

    `payload_for(event_id)` returns the JSON text to send, `on_attempt(event_id, status)`
    hears about every attempt (status None when the connection failed) and
    `on_give_up(event_id)` about an event whose retries ran out.
    """

    def __init__(self, url, secret, payload_for, on_attempt, on_give_up, retry_delays, timeout=10):
        self.url = url
        self.secret = secret or ""
        self._payload_for = payload_for
        self._on_attempt = on_attempt
        self._on_give_up = on_give_up
        self._retry_delays = tuple(retry_delays)
        self._timeout = timeout
        self._queue: collections.deque = collections.deque()
        self._unfinished = 0
        self._condition = threading.Condition()
        self._stopping = threading.Event()
        self._thread = None
        # The receiver is always local: never route it through an HTTP proxy from the env.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def start(self):
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name="stripe-standin-webhooks", daemon=True
        )
        self._thread.start()

    def stop(self):
        self._stopping.set()
        with self._condition:
            self._unfinished -= len(self._queue)
            self._queue.clear()
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout + 1)
            self._thread = None

    def enqueue(self, event_id):
        with self._condition:
            self._queue.append(event_id)
            self._unfinished += 1
            self._condition.notify_all()

    def wait_until_idle(self, timeout):
        """Block until every queued event was delivered or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._unfinished > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return True

    def _run(self):
        while True:
            with self._condition:
                while not self._queue and not self._stopping.is_set():
                    self._condition.wait()
                if self._stopping.is_set():
                    return
                event_id = self._queue.popleft()
            try:
                self._deliver_with_retries(event_id)
            finally:
                with self._condition:
                    self._unfinished = max(0, self._unfinished - 1)
                    self._condition.notify_all()

    def _deliver_with_retries(self, event_id):
        for delay in (0, *self._retry_delays):
            if delay and self._stopping.wait(delay):
                return
            status = self._post(self._payload_for(event_id))
            self._on_attempt(event_id, status)
            if status is not None and 200 <= status < 300:
                return
        self._on_give_up(event_id)

    def _post(self, payload):
        # The URL is the developer's own setting (their local app), not user input.
        request = urllib.request.Request(  # noqa: S310
            self.url,
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": signature_header(payload, self.secret),
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return None
