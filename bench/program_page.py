"""Program page throughput under gunicorn, against a bare view in the same server.

    make bench            (or: .venv/bin/python -m bench.program_page)

Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL) and wrk. Uses a
database of its own, `omw_bench`, recreated on each run.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools import prodlike

DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
PROGRAM_PATH = "/programs/mindful-self-compassion-winter-2027/"
BARE_PATH = "/_bench/fixed/"

P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
  io.write(string.format("errors %d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url: str, script: str) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        "rps": float(_found(r"Requests/sec:\s+([\d.]+)", out)),
        "p95_ms": int(_found(r"p95_us (\d+)", out)) / 1000,
        "errors": int(_found(r"errors (\d+)", out)),
    }


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"wrk printed nothing matching {pattern!r}:\n{text}")
    return match.group(1)


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omwellness")
    return base.rsplit("/", 1)[0] + "/omw_bench"


def main() -> None:
    db = database_url()
    prodlike.reset_database(db)
    static_root = tempfile.mkdtemp(prefix="omw-static-")
    env = prodlike.production_env(
        DATABASE_URL=db, BENCHMARK_ROUTES="true", DJANGO_STATIC_ROOT=static_root
    )
    prodlike.manage(env, "migrate", "--noinput", "-v0")
    prodlike.manage(env, "collectstatic", "--noinput", "-v0")
    prodlike.manage(env, "load_demo")
    port = prodlike.free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(P95_SCRIPT)
    with prodlike.process(prodlike.gunicorn_args(port), env, ready_url=base + BARE_PATH):
        for path in (BARE_PATH, PROGRAM_PATH):  # warm both: imports, connections, cache
            subprocess.run(
                ["wrk", "-t1", "-c2", "-d2s", base + path], capture_output=True, check=True
            )
        rounds: dict[str, list[dict]] = {BARE_PATH: [], PROGRAM_PATH: []}
        for _ in range(2):  # alternate, so drift on the machine hits both alike
            for path in rounds:
                rounds[path].append(wrk(base + path, script.name))
    Path(script.name).unlink()
    best = {path: max(results, key=lambda r: r["rps"]) for path, results in rounds.items()}
    bare, program = best[BARE_PATH], best[PROGRAM_PATH]
    print(f"gunicorn 2 workers, PostgreSQL + Redis, wrk {CONNECTIONS} connections, {DURATION}s x2")
    for label, result in (("bare view", bare), ("program page", program)):
        print(
            f"{label:>13}: {result['rps']:8.1f} req/s   p95 {result['p95_ms']:.1f} ms"
            f"   errors {result['errors']}"
        )
    print(f"ratio program/bare: {program['rps'] / bare['rps']:.2f}")
    if bare["errors"] or program["errors"]:
        sys.exit("errors during the run")


if __name__ == "__main__":
    main()
