"""The stand-in's state: every object it has created, the events, and idempotency records.

One re-entrant lock guards all of it; the HTTP handlers, the control methods and the
background threads all take it, so a request sees and leaves the state consistent.
"""

import copy
import threading
import time

from .errors import StripeError, resource_missing
from .objects import event_template, list_object, new_id
from .params import as_int

# What each object's `expand[]` may turn from an id into the object (or a list for line_items).
_EXPANDABLE = {
    "checkout.session": {"payment_intent": "payment_intent", "line_items": "line_items"},
    "payment_intent": {"latest_charge": "charge"},
    "charge": {"payment_intent": "payment_intent"},
    "refund": {"charge": "charge", "payment_intent": "payment_intent"},
}


class Store:
    def __init__(self, api_version, on_event=None):
        self.lock = threading.RLock()
        self.api_version = api_version
        self.public_url = ""
        # Called (with the lock held) for every new event; the server queues the delivery.
        self.on_event = on_event or (lambda event: None)
        self.pending_webhooks_per_event = 0
        self.checkout_sessions = {}
        self.payment_intents = {}
        self.charges = {}
        self.refunds = {}
        self.events = {}
        # Per session, beside it: Stripe shows line items only when expanded, and
        # payment_intent_data only once the customer pays and a PaymentIntent exists.
        self.line_items = {}
        self.payment_intent_data = {}
        self.idempotency_records = {}

    @staticmethod
    def now():
        return int(time.time())

    def collection(self, kind):
        return {
            "checkout.session": self.checkout_sessions,
            "payment_intent": self.payment_intents,
            "charge": self.charges,
            "refund": self.refunds,
            "event": self.events,
        }[kind]

    def get(self, kind, object_id, param="id", status=404):
        with self.lock:
            found = self.collection(kind).get(object_id)
            if found is None:
                error = resource_missing(kind, object_id, param)
                error.status = status
                raise error
            return found

    def get_session(self, session_id, param="id", status=404):
        """A session, expired first if its time ran out (Stripe expires them lazily too)."""
        with self.lock:
            session = self.get("checkout.session", session_id, param, status)
            self.expire_if_due(session)
            return session

    def expire_if_due(self, session, now=None):
        now = self.now() if now is None else now
        if session["status"] == "open" and session["expires_at"] <= now:
            self.expire(session)
            return True
        return False

    def expire(self, session, request=None):
        session["status"] = "expired"
        session["url"] = None
        self.emit("checkout.session.expired", session, request)

    def expire_due(self, now=None):
        """Expire every open session whose `expires_at` has passed; return their ids."""
        with self.lock:
            return [
                session["id"]
                for session in list(self.checkout_sessions.values())
                if self.expire_if_due(session, now)
            ]

    def emit(self, event_type, obj, request=None):
        """Record an event carrying a snapshot of `obj` as it is now."""
        with self.lock:
            event = event_template()
            event.update(
                id=new_id("evt_"),
                api_version=self.api_version,
                created=self.now(),
                data={"object": copy.deepcopy(obj)},
                pending_webhooks=self.pending_webhooks_per_event,
                request=dict(request) if request else {"id": None, "idempotency_key": None},
                type=event_type,
            )
            self.events[event["id"]] = event
            self.on_event(event)
            return event

    def expanded(self, obj, paths):
        """A copy of `obj` with the `expand[]` paths (dotted for nesting) made inline."""
        result = copy.deepcopy(obj)
        for path in paths or []:
            self._expand_path(result, str(path).split("."))
        return result

    def _expand_path(self, obj, parts):
        field, rest = parts[0], parts[1:]
        target_kind = _EXPANDABLE.get(obj.get("object"), {}).get(field)
        if target_kind is None:
            raise StripeError(f"This property cannot be expanded ({field}).", param="expand")
        if target_kind == "line_items":
            obj["line_items"] = self.line_items_list(obj["id"])
        elif isinstance(obj.get(field), str):
            obj[field] = copy.deepcopy(self.get(target_kind, obj[field]))
        if rest and isinstance(obj.get(field), dict):
            self._expand_path(obj[field], rest)

    def line_items_list(self, session_id):
        items = copy.deepcopy(self.line_items.get(session_id, []))
        return list_object(items, f"/v1/checkout/sessions/{session_id}/line_items")

    def list_events(self, params):
        limit = as_int(params.get("limit", 10), "limit", minimum=1)
        if limit > 100:
            raise StripeError("This value must be less than or equal to 100.", param="limit")
        wanted_types = params.get("types") or ([params["type"]] if params.get("type") else [])
        with self.lock:
            newest_first = list(reversed(self.events.values()))
            if wanted_types:
                newest_first = [e for e in newest_first if _type_matches(e["type"], wanted_types)]
            ids = [event["id"] for event in newest_first]
            if params.get("starting_after"):
                after = _position(ids, params["starting_after"], "starting_after")
                newest_first = newest_first[after + 1 :]
            elif params.get("ending_before"):
                before = _position(ids, params["ending_before"], "ending_before")
                newest_first = newest_first[:before][-limit:]
            page = copy.deepcopy(newest_first[:limit])
            return list_object(page, "/v1/events", has_more=len(newest_first) > limit)


def _type_matches(event_type, patterns):
    # Stripe allows a trailing wildcard such as "checkout.session.*".
    for pattern in patterns:
        if pattern.endswith("*") and event_type.startswith(pattern[:-1]):
            return True
        if event_type == pattern:
            return True
    return False


def _position(ids, event_id, param):
    if event_id not in ids:
        raise resource_missing("event", event_id, param)
    return ids.index(event_id)
