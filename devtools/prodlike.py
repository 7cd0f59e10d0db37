"""Run the site as production does (gunicorn, DEBUG off) on this machine.

Used by the benchmarks and by the production smoke test. Every value here is a
stand-in for a production secret and stays on 127.0.0.1.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment the README's production section describes, pointed at this machine."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STRIPE_", "PYTEST", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "omwellness.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "production-like-secret-for-local-runs-0123456789-abcdefghijkl",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "STRIPE_SECRET_KEY": "sk_test_prodlike",
            "STRIPE_WEBHOOK_SECRET": "whsec_prodlike",
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omwellness"
            ),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def reset_database(url: str) -> None:
    """Drops and recreates the PostgreSQL database named in `url` (a benchmark's own)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str | None = None, log=None):
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if ready_url:
            wait_for(ready_url)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gunicorn_args(port: int, workers: int = 2, threads: int = 1) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "omwellness.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]
