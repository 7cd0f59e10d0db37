"""The HTTP side: Stripe's REST endpoints under /v1 and the hosted page under /pay."""

import base64
import copy
import json
import re
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import checkout, hosted_page, refunds
from .errors import StripeError, injected_failure, unknown_param, unrecognized_url
from .objects import new_id
from .params import parse_form

_NO_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def _masked(key):
    # Stripe echoes a wrong key with all but its prefix and last four characters hidden.
    match = re.match(r"^((?:sk|rk|pk)_(?:test|live)_)", key)
    prefix = match.group(0) if match else ""
    return prefix + "*" * max(len(key) - len(prefix) - 4, 0) + key[-4:]


def _retrieve(kind):
    def handler(store, params, request, object_id):
        _only_expand(params)
        return store.expanded(store.get(kind, object_id), params.get("expand"))

    return handler


def _only_expand(params):
    for name in params:
        if name != "expand":
            raise unknown_param(name)


def _retrieve_session(store, params, request, session_id):
    _only_expand(params)
    return store.expanded(store.get_session(session_id), params.get("expand"))


def _session_line_items(store, params, request, session_id):
    store.get_session(session_id)
    return store.line_items_list(session_id)


def _create_session(store, params, request):
    session = checkout.create_session(store, params)
    return store.expanded(session, params.get("expand"))


def _expire_session(store, params, request, session_id):
    session = checkout.expire_session(store, session_id, request)
    return store.expanded(session, params.get("expand"))


def _list_events(store, params, request):
    return store.list_events(params)


def _create_refund(store, params, request):
    refund = refunds.create_refund(store, params, request)
    return store.expanded(refund, params.get("expand"))


_ID = r"([^/]+)"
ROUTES = [
    ("POST", re.compile(r"^/v1/checkout/sessions$"), _create_session),
    ("GET", re.compile(rf"^/v1/checkout/sessions/{_ID}$"), _retrieve_session),
    ("GET", re.compile(rf"^/v1/checkout/sessions/{_ID}/line_items$"), _session_line_items),
    ("POST", re.compile(rf"^/v1/checkout/sessions/{_ID}/expire$"), _expire_session),
    ("GET", re.compile(rf"^/v1/payment_intents/{_ID}$"), _retrieve("payment_intent")),
    ("GET", re.compile(rf"^/v1/charges/{_ID}$"), _retrieve("charge")),
    ("GET", re.compile(rf"^/v1/refunds/{_ID}$"), _retrieve("refund")),
    ("POST", re.compile(r"^/v1/refunds$"), _create_refund),
    ("GET", re.compile(rf"^/v1/events/{_ID}$"), _retrieve("event")),
    ("GET", re.compile(r"^/v1/events$"), _list_events),
]


class StandinHTTPServer(ThreadingHTTPServer):
    # The StripeStandin that serves through it (server.py, which imports this module).
    standin: Any


class StandinRequestHandler(BaseHTTPRequestHandler):
    """Serves one request; `self.server.standin` is the StripeStandin that owns the server."""

    server: "StandinHTTPServer"

    server_version = "stripe-standin"
    sys_version = ""

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def log_message(self, format, *args):
        if not self.server.standin.quiet:
            super().log_message(format, *args)

    @property
    def standin(self):
        return self.server.standin

    def _dispatch(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            if url.path.startswith("/v1/"):
                self._api(method, url.path, body if method == "POST" else url.query)
            elif url.path.startswith("/pay/"):
                self._hosted_page(method, unquote(url.path[len("/pay/") :]), body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"Not found\n")
        except Exception:
            # A bug in the stand-in should read as a Stripe 500, not a dropped connection
            # the stripe library would report as a network problem.
            traceback.print_exc()
            error = StripeError(
                "The Stripe stand-in failed; see its log.", status=500, error_type="api_error"
            )
            self._send_json(500, error.body(), {})

    # --- REST API -------------------------------------------------------------------------

    def _api(self, method, path, form_text):
        request_id = new_id("req_", 14)
        headers = {"Request-Id": request_id}
        version = self.headers.get("Stripe-Version")
        headers["Stripe-Version"] = version or self.standin.api_version
        idempotency_key = self.headers.get("Idempotency-Key") if method == "POST" else None
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            failure_status = self.standin.take_injected_failure()
            if failure_status is not None:
                raise injected_failure(failure_status)
            self._authenticate()
            handler, path_args = self._route(method, path)
            params = parse_form(form_text)
            request = {"id": request_id, "idempotency_key": idempotency_key}
            with self.standin.store.lock:
                status, payload, replayed = self._run_idempotently(
                    idempotency_key,
                    method,
                    path,
                    params,
                    lambda: handler(self.standin.store, params, request, *path_args),
                )
            if replayed:
                headers["Idempotent-Replayed"] = "true"
        except StripeError as error:
            status, payload = error.status, error.body()
            payload["error"]["request_log_url"] = (
                f"https://dashboard.stripe.com/test/logs/{request_id}"
            )
        self._send_json(status, payload, headers)

    def _authenticate(self):
        header = self.headers.get("Authorization") or ""
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer":
            key = credentials.strip()
        elif scheme.lower() == "basic":
            # curl -u sk_test_...: sends the key as the user name with an empty password.
            try:
                key = base64.b64decode(credentials).decode().partition(":")[0]
            except ValueError:
                key = ""
        else:
            key = ""
        if not key:
            raise StripeError(_NO_KEY_MESSAGE, status=401)
        if not self.standin.accepts_api_key(key):
            raise StripeError(f"Invalid API Key provided: {_masked(key)}", status=401)

    def _route(self, method, path):
        for route_method, pattern, handler in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                return handler, [unquote(arg) for arg in match.groups()]
        raise unrecognized_url(method, path)

    def _run_idempotently(self, key, method, path, params, run):
        """Run a request, or replay the stored answer to an earlier one with the same key."""
        records = self.standin.store.idempotency_records
        endpoint = f"{method} {path}"
        record = records.get(key) if key else None
        if record is not None:
            if record["endpoint"] != endpoint:
                raise StripeError(
                    "Keys for idempotent requests can only be used for the same endpoint they "
                    f"were first used for ('{record['endpoint']}' vs '{endpoint}'). Try using a "
                    f"key other than '{key}' if you meant to execute a different request.",
                    error_type="idempotency_error",
                )
            if record["params"] != params:
                raise StripeError(
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    error_type="idempotency_error",
                )
            return record["status"], copy.deepcopy(record["payload"]), True
        payload = run()
        if key:
            # Only successes are kept: Stripe saves no result for a request it rejected
            # before the endpoint ran, which is where this stand-in's errors come from.
            records[key] = {
                "endpoint": endpoint,
                "params": params,
                "status": 200,
                "payload": copy.deepcopy(payload),
            }
        return 200, payload, False

    # --- Hosted checkout page ---------------------------------------------------------------

    def _hosted_page(self, method, session_id, body):
        store = self.standin.store
        with store.lock:
            session = store.checkout_sessions.get(session_id)
            if session is not None:
                store.expire_if_due(session)
            if session is None:
                return self._send_html(404, hosted_page.render_not_found())
            if session["status"] == "expired":
                return self._send_html(410, hosted_page.render_expired(session))
            if session["status"] == "complete":
                return self._redirect_after_payment(session)
            if method != "POST":
                line_items = store.line_items[session_id]
                return self._send_html(200, hosted_page.render_checkout(session, line_items))
            form = dict(parse_qsl(body, keep_blank_values=True))
            status, error = hosted_page.pay_from_form(store, session, form)
            if error is None:
                return self._redirect_after_payment(session)
            page = hosted_page.render_checkout(session, store.line_items[session_id], error, form)
            return self._send_html(status, page)

    def _redirect_after_payment(self, session):
        success_url = session.get("success_url")
        if not success_url:
            return self._send_html(200, hosted_page.render_paid(session))
        location = success_url.replace("{CHECKOUT_SESSION_ID}", session["id"])
        self._send(303, "text/plain; charset=utf-8", b"", {"Location": location})

    # --- Responses -----------------------------------------------------------------------

    def _send_json(self, status, payload, headers):
        body = (json.dumps(payload, indent=2) + "\n").encode()
        self._send(status, "application/json", body, headers)

    def _send_html(self, status, page):
        self._send(status, "text/html; charset=utf-8", page.encode(), {"Cache-Control": "no-store"})

    def _send(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
