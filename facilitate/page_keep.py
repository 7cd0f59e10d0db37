"""A facilitator page kept in the worker's memory until anything it shows changes.

A roster of 200 people reads hundreds of rows and draws a long table: tens of
milliseconds a time, for a page that facilitators reload while they work and that
several facilitators and staff read alike. So the drawn page is kept, with the site
header and the CSRF token left as markers (programs/page_cache.py), and given again
for as long as its data has not changed.

Whether it has changed is asked of PostgreSQL in one query: for each table the page
reads, the number of the program's rows and the sum of their `xmin` (the transaction
that last wrote each row). Any insert, update or delete changes one of them: through
the ORM, a bulk `update()`, the admin, a data erasure or plain SQL alike, so no write
path has to remember to tell the page. The answer also gives the next moment the page
changes without a write (a hold or an offer lapsing, a session starting or ending),
when the kept page stops being given.

The page stays in the worker's own memory, never in Redis: rosters hold health
answers, and nothing about them leaves the process that draws them. Each worker keeps
at most KEPT_PAGES pages. On SQLite (the local default) pages are always drawn afresh.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

from programs.models import Program, Question, Session
from registrations.models import Answer, Payment, Refund, Registration, WaitlistEntry

from .models import Attendance

KEPT_PAGES = 32
_SENTINEL = -424242  # the program id the SQL is compiled with, replaced by the real one


def _parts(program_id: int) -> list[QuerySet]:
    # The certificates app sits above this one: its model, by the relation's name.
    certificate = Registration.certificate.related.related_model
    assert not isinstance(certificate, str)  # noqa: S101 - a resolved relation, for the types
    return [
        Program.objects.filter(pk=program_id),
        Session.objects.filter(program_id=program_id),
        Question.objects.filter(program_id=program_id),
        Registration.objects.filter(program_id=program_id),
        Payment.objects.filter(registration__program_id=program_id),
        Refund.objects.filter(payment__registration__program_id=program_id),
        Answer.objects.filter(registration__program_id=program_id),
        Attendance.objects.filter(session__program_id=program_id),
        WaitlistEntry.objects.filter(program_id=program_id),
        certificate._default_manager.filter(registration__program_id=program_id),
    ]


def _state(queryset: QuerySet) -> tuple[str, list]:
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    inner = queryset.annotate(
        written=RawSQL(f"{table}.xmin::text::bigint", ())  # noqa: S611 - a table name
    ).values("written")
    sql, params = inner.query.sql_with_params()
    return (
        # Django compiled `sql`; every value in it is a parameter.
        f"(SELECT count(*)::text || '.' || coalesce(sum(written), 0)::text FROM ({sql}) s)",  # noqa: S608
        list(params),
    )


# Moments after which the page reads differently with no write: a hold or an offer
# lapses, a session starts or ends.
_NEXT_CHANGE = """(SELECT min(moment) FROM (
    SELECT hold_expires_at AS moment FROM {registration} WHERE program_id = %s
      AND status = %s AND hold_expires_at > %s
    UNION ALL SELECT offer_expires_at FROM {waitlist} WHERE program_id = %s
      AND offer_expires_at > %s
    UNION ALL SELECT starts_at FROM {session} WHERE program_id = %s AND starts_at > %s
    UNION ALL SELECT ends_at FROM {session} WHERE program_id = %s AND ends_at > %s
) moments)"""


@cache
def _statement() -> tuple[str, tuple[int, ...]]:
    """The one SQL statement, compiled once per worker, and where its program ids go."""
    pieces, params = [], []
    for queryset in _parts(_SENTINEL):
        sql, part_params = _state(queryset)
        pieces.append(sql)
        params.extend(part_params)
    if any(param != _SENTINEL for param in params):
        raise RuntimeError("a fingerprint query takes parameters other than the program")
    next_change = _NEXT_CHANGE.format(
        registration=Registration._meta.db_table,
        waitlist=WaitlistEntry._meta.db_table,
        session=Session._meta.db_table,
    )
    return "SELECT " + ", ".join([*pieces, next_change]), (len(params),)


def fingerprint(program_id: int, now: datetime) -> tuple[tuple, datetime | None] | None:
    """What the program's rows are now and when the page next changes by itself; None
    where the database cannot tell (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    sql, (count,) = _statement()
    params: list = [program_id] * count + [program_id, Registration.Status.PENDING, now]
    params += [program_id, now] * 3
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row[:-1]), row[-1]


class _Kept:
    def __init__(self) -> None:
        self.pages: OrderedDict[tuple, tuple[datetime | None, str, dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, now: datetime) -> tuple[str, dict] | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            valid_until, body, extra = found
            if valid_until is not None and now >= valid_until:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return body, extra

    def put(self, key: tuple, valid_until: datetime | None, body: str, extra: dict) -> None:
        with self.lock:
            self.pages[key] = (valid_until, body, extra)
            self.pages.move_to_end(key)
            while len(self.pages) > KEPT_PAGES:
                self.pages.popitem(last=False)


_kept = _Kept()


def kept_page(
    *, page: str, program_id: int, draw: Callable[[], tuple[str, dict]]
) -> tuple[str, dict]:
    """The page `page` of the program, drawn by `draw` (its body with the markers, and
    whatever the view needs beside it) or given again while nothing it reads changed."""
    now = timezone.now()
    state = fingerprint(program_id, now)
    if state is None:
        return draw()
    rows, valid_until = state
    key = (page, program_id, translation.get_language(), rows)
    found = _kept.get(key, now)
    if found is not None:
        return found
    body, extra = draw()
    _kept.put(key, valid_until, body, extra)
    return body, extra
