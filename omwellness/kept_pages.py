"""Pages kept in the worker's memory until anything they show changes.

Some signed-in pages read hundreds of rows and draw long tables (a roster, a person's
registrations) and are read again and again while nothing on them changed: a
facilitator reloading the roster as people arrive, several facilitators and staff
reading it alike, a participant coming back to their list. Such a page is drawn with
the site header and the CSRF token left as markers (programs/page_cache.py) and kept
here, under a fingerprint of the rows it reads.

The fingerprint is asked of PostgreSQL in one query that the page's app writes: for
each table the page reads, the number of its rows and the sum of their `xmin` (the
transaction that last wrote each row). Any committed insert, update or delete changes
one of them, through the ORM, a bulk `update()`, the admin, a data erasure or plain
SQL alike, so no write path has to remember to tell the page. The same query gives the
next moment the page reads differently with no write at all (a hold or an offer
lapsing, a session starting or ending), when the kept page stops being given.

Pages stay in the worker's own memory, never in Redis: they hold personal details
and health answers, and nothing about them leaves the process that drew them. Each
worker keeps at most KEPT_PAGES. On SQLite (the local default) pages are drawn afresh.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from django.db import connection
from django.utils import timezone, translation

KEPT_PAGES = 64

Drawn = tuple[str, dict]  # the page's body with the markers, and facts the view needs


def row_state(table: str, where: str) -> str:
    """The SQL of one table's part of a fingerprint: "<rows>.<sum of xmin>"."""
    table = connection.ops.quote_name(table)
    # A table name from a model, and SQL of the caller's: no value of anyone's in it.
    return (
        f"(SELECT count(*)::text || '.' || coalesce(sum({table}.xmin::text::bigint), 0)::text"  # noqa: S608 - names from the models
        f" FROM {table} WHERE {where})"
    )


class _Store:
    def __init__(self) -> None:
        self.pages: OrderedDict[tuple, tuple[datetime | None, Drawn]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, now: datetime) -> Drawn | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            valid_until, drawn = found
            if valid_until is not None and now >= valid_until:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return drawn

    def put(self, key: tuple, valid_until: datetime | None, drawn: Drawn) -> None:
        with self.lock:
            self.pages[key] = (valid_until, drawn)
            self.pages.move_to_end(key)
            while len(self.pages) > KEPT_PAGES:
                self.pages.popitem(last=False)


_store = _Store()


def drop_kept() -> None:
    """Forgets every kept page of this worker (the tests start each from nothing)."""
    with _store.lock:
        _store.pages.clear()


def kept_page(
    *,
    key: tuple,
    parts: Sequence[str],
    next_change: str,
    params: Mapping,
    draw: Callable[[], Drawn],
    with_clause: str = "",
) -> Drawn:
    """The page named by `key` (a page name and whose it is), drawn by `draw`, or given
    again while the rows behind it are as they were.

    `parts` are row_state() SQL expressions and `next_change` an SQL expression for the
    next moment the page changes by itself (NULL for none); `with_clause` may name the
    rows they share ("WITH mine AS MATERIALIZED (...)"), planned once rather than in
    every part; `params` fill them all, with `now` the current time."""
    if connection.vendor != "postgresql":
        return draw()
    now = timezone.now()
    params = {**params, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(f"{with_clause} SELECT " + ", ".join([*parts, next_change]), params)
        row = cursor.fetchone()
    full_key = (*key, translation.get_language(), tuple(row[:-1]))
    drawn = _store.get(full_key, now)
    if drawn is None:
        drawn = draw()
        _store.put(full_key, row[-1], drawn)
    return drawn
