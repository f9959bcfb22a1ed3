"""Project-wide behaviour: JSON errors, health, welcome, schema, production settings."""
import subprocess
import sys

import pytest
from django.core.management import call_command

from testing import BASE_DIR
from testing.servers import manage, server_env


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_url_is_json_404_with_debug_on_or_off(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no/such/place/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_missing_slash_still_redirects(client):
    response = client.get("/profiles")
    assert response.status_code == 301
    assert response["Location"] == "/profiles/"


@pytest.mark.django_db
def test_server_error_is_json_500_without_details(client, settings):
    settings.ROOT_URLCONF = "drf_api.tests.urls_with_error"
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert b"secret internals" not in response.content


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_root_welcomes_with_links(api_client):
    body = api_client.get("/").json()
    assert body["docs"] == "http://testserver/docs/"
    assert body["schema"] == "http://testserver/schema/"


@pytest.mark.django_db
def test_csrf_endpoint_returns_token_and_sets_cookie(api_client):
    response = api_client.get("/csrf/")
    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert "csrftoken" in response.cookies


@pytest.mark.django_db
def test_schema_is_served_as_json_and_yaml(api_client):
    as_json = api_client.get("/schema/?format=json")
    assert as_json.status_code == 200
    paths = as_json.json()["paths"]
    for path in ("/profiles/", "/profiles/{id}/", "/profiles/most_followed/", "/users/", "/dj-rest-auth/login/"):
        assert path in paths
    assert api_client.get("/schema/", HTTP_ACCEPT="application/json").json()["paths"] == paths
    as_yaml = api_client.get("/schema/")
    assert as_yaml.status_code == 200
    assert as_yaml.content.startswith(b"openapi: 3")


@pytest.mark.django_db
def test_docs_page_loads_swagger_ui_from_this_server_not_a_cdn(client):
    response = client.get("/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def production_env(**overrides):
    env = server_env("sqlite:///" + str(BASE_DIR / "unused.sqlite3"), ALLOWED_HOSTS="api.example.com", **overrides)
    env.pop("SECURE_SSL_REDIRECT")
    return env


def test_production_settings_without_secret_key_refuse_to_start():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_without_secret_key_starts_for_local_development():
    env = production_env(DEBUG="1")
    env.pop("SECRET_KEY")
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_client_origins_configure_cors_and_csrf():
    env = production_env(CLIENT_ORIGIN="https://app.example.com", CSRF_TRUSTED_ORIGINS="https://admin.example.com")
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CORS_ALLOWED_ORIGINS, s.CSRF_TRUSTED_ORIGINS]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[["https://app.example.com"], ["https://admin.example.com", "https://app.example.com"]]'
    )


@pytest.mark.parametrize(
    "redis_url, backend",
    [(None, "django.core.cache.backends.locmem.LocMemCache"),
     ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache")],
)
def test_redis_url_selects_the_shared_cache(redis_url, backend):
    env = production_env()
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == backend, result.stderr


def test_committed_schema_is_valid_warning_free_and_up_to_date(tmp_path):
    generated = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    committed = (BASE_DIR / "schema.yml").read_text()
    assert generated.read_text() == committed, "schema.yml is stale: run `make schema` and commit it"


@pytest.mark.django_db
def test_every_contract_endpoint_documents_its_errors(api_client):
    paths = api_client.get("/schema/?format=json").json()["paths"]
    send = paths["/messages/{user_id}/send/"]["post"]
    assert {"201", "400", "401", "403", "404", "413", "429"} <= set(send["responses"])
    assert "multipart/form-data" in send["requestBody"]["content"]
    post_detail = paths["/posts/{id}/"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(post_detail["patch"]["responses"])
    assert "404" in post_detail["get"]["responses"]
    feed = {parameter["name"]: parameter for parameter in paths["/posts/"]["get"]["parameters"]}
    assert {"owner", "followed", "liked", "search", "ordering", "page", "page_size"} <= set(feed)
    assert "-likes__created_at" in feed["ordering"]["schema"]["enum"]
    assert paths["/health/"]["get"]["responses"].keys() >= {"200", "503"}
