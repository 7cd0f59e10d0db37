import os

import pytest
from django.db import connection
from django.test import override_settings

from .factories import ProgramFactory, UserFactory, make_program_staff
from .stripe_fixtures import stripe_standin  # noqa: F401


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL skip on SQLite locally; in CI a skip fails the run."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI allows no skipped test: {len(skipped)} skipped.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Production's hasher is slow on purpose, and tests make many users: one fast
    hasher for the whole run, set here only (this process, its live servers included).
    Processes a test starts keep production's hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run inline after commit, as without a broker; test_worker starts a real worker."""
    from omwellness.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English, as each request does: a request to a /fr/ page
    leaves French active in its thread (LocaleMiddleware activates, never resets)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    from omwellness.kept_pages import drop_kept
    from programs.page_cache import drop_held

    cache.clear()
    drop_held()
    drop_kept()


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def plain_staff_user(db):
    """The staff flag and nothing else: opens the admin's door, and no data."""
    return UserFactory(is_staff=True)


@pytest.fixture
def program_staff_user(db):
    """A staff member in the "Program staff" group."""
    return make_program_staff()
