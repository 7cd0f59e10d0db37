"""Five pages of the site under gunicorn, against bare Django in the same run.

    make bench            (or: .venv/bin/python -m bench.pages)

The site runs as production does (gunicorn, 2 workers, production settings,
PostgreSQL, Redis); beside it, on its own port and started the same way, the bare app
(bench/bare: one view, no middleware, no database): the ceiling. wrk reads the bare
app and each page in turn, alternating (bare, page 1, bare, page 2, ...) for
BENCH_ROUNDS rounds of BENCH_SECONDS each, so drift on the machine hits both alike.
Each page is checked first (and again after): answered 200 with what it must show, so
a redirect to sign-in is never measured as a fast page.

Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL) and wrk. Uses a
database of its own (bench/wrk.py: `omw_bench`, or BENCH_DATABASE), recreated on
each run. Exits non-zero on wrk errors, answers of 400 and above, or answers that are
not the page checked; figures below the issue's targets are printed, not failed.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from statistics import median

from bench import wrk
from bench.scenario import Page
from devtools import prodlike

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WORKERS = 2
P95_TARGET_MS = 50.0
BARE = Page("bare", "/", 1.0, expect=["<title>fixed</title>"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to report, not to follow


def fetch(base: str, page: Page) -> tuple[int, str]:
    url = base + page.path  # always the loopback server started here
    request = urllib.request.Request(url, headers=headers(page))  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def headers(page: Page) -> dict[str, str]:
    return {"Cookie": f"{page.cookie_name}={page.session_key}"} if page.session_key else {}


def checked_size(base: str, page: Page) -> int:
    """The page's size in bytes, once it answered 200 with what it must show."""
    status, body = fetch(base, page)
    problems = page.problems(status, body)
    if problems:
        sys.exit(f"{page.name} ({page.path}) is not the page to measure: {'; '.join(problems)}")
    return len(body.encode())


def measured(base: str, page: Page, size: int) -> wrk.Figures:
    figures = wrk.run(base + page.path, headers=headers(page))
    # A response much smaller than the page checked was some other answer (a redirect).
    if figures.errors or figures.bytes_per_response < 0.9 * size:
        sys.exit(
            f"{page.name}: {figures.status_errors} answers of 400+, "
            f"{figures.socket_errors} socket errors, {figures.bytes_per_response:.0f} bytes "
            f"per response for a page of {size}"
        )
    return figures


def main() -> None:
    db = wrk.database_url()
    prodlike.reset_database(db)
    env = prodlike.production_env(
        DATABASE_URL=db, DJANGO_STATIC_ROOT=tempfile.mkdtemp(prefix="omw-static-")
    )
    prodlike.manage(env, "migrate", "--noinput", "-v0")
    prodlike.manage(env, "collectstatic", "--noinput", "-v0")
    scenario = subprocess.run(
        [str(prodlike.BIN / "python"), "-m", "bench.scenario"],
        cwd=prodlike.ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    pages = [Page(**fields) for fields in json.loads(scenario)]
    site_port, bare_port = prodlike.free_port(), prodlike.free_port()
    site, bare = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{bare_port}"
    site_args = prodlike.gunicorn_args(site_port, workers=WORKERS)
    # Started exactly as the site is: the same arguments, another WSGI application.
    bare_args = [
        "bench.bare.wsgi" if arg == "omwellness.wsgi" else arg
        for arg in prodlike.gunicorn_args(bare_port, workers=WORKERS)
    ]
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
    with (
        wrk.server_log("gunicorn") as log,
        prodlike.process(site_args, env, ready_url=site + "/healthz/", log=log),
        prodlike.process(bare_args, bare_env, ready_url=bare + "/", log=log),
    ):
        bare_size = checked_size(bare, BARE)
        sizes = {page.name: checked_size(site, page) for page in pages}
        wrk.warm(bare + BARE.path)
        for page in pages:
            wrk.warm(site + page.path, headers(page))
        rounds: dict[str, list[wrk.Figures]] = {page.name: [] for page in [BARE, *pages]}
        for _ in range(ROUNDS):
            for page in pages:
                rounds[BARE.name].append(measured(bare, BARE, bare_size))
                rounds[page.name].append(measured(site, page, sizes[page.name]))
        for page in pages:  # still the page it was (a session that lapsed would not be)
            checked_size(site, page)
    report(pages, rounds, {BARE.name: bare_size, **sizes})


def report(pages: list[Page], rounds: dict[str, list[wrk.Figures]], sizes: dict[str, int]):
    best = {name: max(runs, key=lambda f: f.rps) for name, runs in rounds.items()}
    print(
        f"pages: gunicorn {WORKERS} workers (site: production settings, PostgreSQL, Redis; "
        f"bare: bench/bare on its own port), wrk {wrk.CONNECTIONS} connections, "
        f"{wrk.SECONDS}s rounds, {ROUNDS} rounds alternating bare, page, bare, page..."
    )
    print(
        "each figure is the page's best round; ratio = best round of the page / best round "
        f"of bare in this run (median rounds in brackets); p95 target < {P95_TARGET_MS:.0f} ms"
    )
    bare = best[BARE.name]
    bare_median = median(f.rps for f in rounds[BARE.name])
    for name in [BARE.name, *(page.name for page in pages)]:
        f = best[name]
        every = ", ".join(f"{run.rps:.0f}" for run in rounds[name])
        print(
            f"{name}: {f.rps:.1f} req/s  p95 {f.p95_ms:.1f} ms  errors {f.errors}"
            f"   ({sizes[name]:,} bytes; rounds: {every} req/s)"
        )
    for page in pages:
        f = best[page.name]
        ratio = f.rps / bare.rps
        ratio_median = median(run.rps for run in rounds[page.name]) / bare_median
        verdict = "PASS" if ratio >= page.target else "BELOW"
        latency = "PASS" if f.p95_ms < P95_TARGET_MS else "ABOVE"
        print(
            f"ratio {page.name}/bare: {_ratio(ratio)} ({_ratio(ratio_median)})   "
            f"target >= {page.target:.2f} {verdict}   p95 {f.p95_ms:.1f} ms {latency}"
        )


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"  # small ones keep a digit


if __name__ == "__main__":
    main()
