"""wrk, the load generator every benchmark here uses: run it, read its figures.

One home for the command line, the Lua that reports p95 and errors, the paced reader
and the benchmarks' own database (`omw_bench` on DATABASE_URL's server, or
BENCH_DATABASE).
"""

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))

# Printed by every run: latency percentiles, every kind of error, and the bytes read,
# whose mean per response shows a run that got other answers than the one checked (a
# redirect to sign-in is a few hundred bytes, not a page). Answers of 4xx and 5xx are
# counted by wrk itself as status errors.
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("p50_us %d\\n", latency:percentile(50)))
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
  io.write(string.format("requests %d\\n", summary.requests))
  io.write(string.format("bytes %d\\n", summary.bytes))
  io.write(string.format("status_errors %d\\n", summary.errors.status))
  io.write(string.format("socket_errors %d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""

# Paces each wrk thread to RATE requests per second in all (plain wrk has no rate
# option): each request of a thread gets the next slot of an even schedule, so a slow
# answer is made up by a shorter pause, not lost. wrk's LuaJIT reads the clock via ffi.
PACED = """
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local next_at = nil

function init(args)
  local rate, threads = tonumber(args[1]), tonumber(args[2])
  interval_ms = 1000 * threads / rate
end

function delay()
  local now = now_ms()
  if next_at == nil or next_at < now then next_at = now end
  local wait = next_at - now
  next_at = next_at + interval_ms
  return wait
end
"""


@dataclass(frozen=True)
class Figures:
    rps: float
    p50_ms: float
    p95_ms: float
    requests: int
    bytes_per_response: float
    status_errors: int  # answers of 400 and above
    socket_errors: int

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors


def _script(*parts: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-", delete=False) as f:
        f.write("\n".join(parts))
    return f.name


def run(
    url: str,
    *,
    seconds: float = SECONDS,
    connections: int = CONNECTIONS,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    rate: float | None = None,
) -> Figures:
    """wrk against `url`; with `rate`, paced to about that many requests per second."""
    threads = min(threads, connections)
    script = _script(REPORT, PACED if rate else "")
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    args += ["-s", script, url]
    if rate:
        args += ["--", str(rate), str(threads)]
    try:
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    finally:
        Path(script).unlink()
    requests = int(_found(r"^requests (\d+)$", out))
    return Figures(
        rps=float(_found(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=int(_found(r"^p50_us (\d+)$", out)) / 1000,
        p95_ms=int(_found(r"^p95_us (\d+)$", out)) / 1000,
        requests=requests,
        bytes_per_response=int(_found(r"^bytes (\d+)$", out)) / max(1, requests),
        status_errors=int(_found(r"^status_errors (\d+)$", out)),
        socket_errors=int(_found(r"^socket_errors (\d+)$", out)),
    )


def warm(url: str, headers: dict[str, str] | None = None) -> None:
    """A short run first: imports, connections and caches, outside the figures."""
    run(url, seconds=2, connections=2, threads=1, headers=headers)


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed nothing matching {pattern!r}:\n{text}")
    return match.group(1)


def server_log(name: str):
    """A file for a server's output, kept out of the figures; its path is printed."""
    log = tempfile.NamedTemporaryFile("w", prefix=f"bench-{name}-", suffix=".log", delete=False)
    print(f"{name} log: {log.name}")
    return log


def database_url() -> str:
    """The benchmarks' own database, on DATABASE_URL's server: recreated by each run."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omwellness")
    return base.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DATABASE", "omw_bench")
