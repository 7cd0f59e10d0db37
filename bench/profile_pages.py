"""Where the time of each benchmarked page goes, in-process under cProfile.

    .venv/bin/python -m bench.profile_pages [--requests 50] [--top 15] [--page roster]

The five pages of bench/pages.py, on the same data (bench/scenario.py), with the
production settings (DEBUG off, Redis when REDIS_URL is set) in a database of its
own (bench/wrk.py's, with `_profile` added), recreated on each run. Each request goes
through the whole stack (Django's test Client: every middleware, the session and the
template), with only the cookie wrk would send. Prints for each page: queries per
request, mean milliseconds per request (unprofiled), how much of the profiled time went
to the database, templates, the cache and the session, and the top functions by
cumulative time.
"""

import argparse
import cProfile
import os
import pstats
import tempfile
import time

from bench import wrk
from devtools import prodlike

# Where time goes: cumulative time of these (file, function); they nest (a template
# may run a query), so the shares overlap and do not add up to 100%.
BUCKETS = {
    "queries (ORM compiles, SQL runs)": [("django/db/models/sql/compiler.py", "execute_sql")],
    "of which SQL at the database": [("django/db/backends/utils.py", "_execute")],
    "templates (render)": [("django/template/backends/django.py", "render")],
    "cache (Redis round trips)": [("django_redis/cache.py", "_decorator")],
    "session load": [("django/contrib/sessions/backends/base.py", "_get_session")],
    "user (auth middleware)": [("django/contrib/auth/middleware.py", "get_user")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="profiled requests per page")
    parser.add_argument("--top", type=int, default=15, help="functions listed per page")
    parser.add_argument("--page", help="only pages whose name contains this")
    options = parser.parse_args()

    db = wrk.database_url() + "_profile"
    prodlike.reset_database(db)
    env = prodlike.production_env(
        DATABASE_URL=db,
        DJANGO_STATIC_ROOT=tempfile.mkdtemp(prefix="omw-static-"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",  # the test Client's host
    )
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.scenario import build

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    pages = [p for p in build() if not options.page or options.page in p.name]
    print(
        f"profile: {options.requests} requests per page in-process (Django test Client), "
        "production settings (DEBUG off), PostgreSQL"
        + (", Redis cache" if os.environ.get("REDIS_URL") else ", local-memory cache")
    )
    summary = []
    for page in pages:
        summary.append(profile(page, options.requests, options.top))
    print("\nsummary")
    for name, queries, mean_ms in summary:
        print(f"  {name:<22} {queries:>3} queries  {mean_ms:7.2f} ms per request")


def profile(page, requests: int, top: int) -> tuple[str, int, float]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def get():
        client.cookies.clear()  # only what wrk sends: the session cookie, if any
        if page.session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = page.session_key
        return client.get(page.path)

    response = get()
    problems = page.problems(response.status_code, response.content.decode())
    if problems:
        raise SystemExit(f"{page.name} ({page.path}): {'; '.join(problems)}")
    for _ in range(5):  # warm: imports, template loaders, connections
        get()
    with CaptureQueriesContext(connection) as captured:
        get()
    # Copied now: the next request's start empties the log the context reads from.
    queries = list(captured.captured_queries)
    started = time.perf_counter()
    for _ in range(requests):
        get()
    mean_ms = (time.perf_counter() - started) * 1000 / requests
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(_cumulative(stats, [("django/test/client.py", "request")]), 1e-9)

    print(f"\n=== {page.name}  {page.path}")
    print(
        f"{len(queries)} queries per request, {mean_ms:.2f} ms per request "
        f"({len(response.content):,} bytes)"
    )
    for query in queries:
        print(f"    {query['time']}s  {query['sql'][:150]}")
    print(f"where the time goes ({total * 1000 / requests:.2f} ms per request profiled):")
    for label, functions in BUCKETS.items():
        spent = _cumulative(stats, functions)
        print(f"    {label:<34} {spent * 1000 / requests:7.2f} ms  {spent / total:5.0%}")
    print(f"top {top} functions by cumulative time (below the middleware calls):")
    print("\n".join(_top(stats, top, key=3)))
    print(f"top {top} functions by own time:")
    print("\n".join(_top(stats, top, key=2)))
    return page.name, len(queries), mean_ms


def _cumulative(stats: pstats.Stats, functions: list[tuple[str, str]]) -> float:
    """Cumulative seconds in the outermost calls of these functions (recursion counted once)."""
    spent = 0.0
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, callers) in entries.items():
        if any(filename.endswith(f) and name == n for f, n in functions):
            # Calls from another of these functions are inside one already counted.
            inner = sum(
                timing[3]
                for caller, timing in callers.items()
                if any(caller[0].endswith(f) and caller[2] == n for f, n in functions)
            )
            spent += cumulative - inner
    return spent


# The request's spine, shared by every page: the test Client, Django's handler and
# each middleware's call, which only pass the request on.
SPINE_FILES = ("django/test/", "django/core/handlers/", "django/utils/deprecation.py", "bench/")
SPINE_FUNCTIONS = ("__call__", "sync_middleware", "inner")


def _top(stats: pstats.Stats, count: int, key: int) -> list[str]:
    """The `count` functions with the most time at index `key` (2: own, 3: cumulative)."""
    entries = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(
        (
            item
            for item in entries.items()
            if not any(spine in item[0][0] for spine in SPINE_FILES)
            and item[0][2] not in SPINE_FUNCTIONS
        ),
        key=lambda item: item[1][key],
        reverse=True,
    )
    lines = ["    calls    own s    cum s  function"]
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in ranked[:count]:
        where = filename.split("site-packages/")[-1].replace(str(prodlike.ROOT) + "/", "")
        lines.append(f"    {calls:>5} {own:8.3f} {cumulative:8.3f}  {where}:{line}({name})")
    return lines


if __name__ == "__main__":
    main()
