"""Fixtures shared by every app's tests."""
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from testing.clients import bearer_client
from testing.servers import manage, server_env
from users.tests.factories import UserFactory


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """The manifest static storage needs collectstatic, as in production, before any test module
    imports an entry point (drf_api.asgi refuses to load without the collected files)."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user):
    """A client signed in as `user` with a real access token in the Authorization header."""
    return bearer_client(user)


@pytest.fixture
def other_client(other_user):
    return bearer_client(other_user)


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory):
    """A migrated database of the same engine as the test database, for server processes.

    The test database lives inside this process (in memory on SQLite, in a transaction on
    PostgreSQL), so a gunicorn subprocess gets a database of its own.
    """
    config = django_settings.DATABASES["default"]
    if config["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}"
        drop = None
    else:
        import psycopg

        name = f"drf_api_live_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            dbname="postgres", user=config["USER"], password=config["PASSWORD"] or None,
            host=config["HOST"], port=config["PORT"] or None, autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        url = (
            f"postgres://{config['USER']}:{config['PASSWORD'] or ''}@{config['HOST']}:{config['PORT'] or 5432}/{name}"
        )

        def drop():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    result = manage("migrate", "--noinput", env=server_env(url))
    assert result.returncode == 0, result.stdout + result.stderr
    yield url
    if drop:
        drop()



def pytest_report_header(config):
    database = django_settings.DATABASES["default"]
    where = f" at {database['HOST']}:{database['PORT']}" if database.get("HOST") else ""
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]}{where}"
