"""Served under a path prefix (the browser app's `/api`), every URL the API makes carries it: from
SCRIPT_NAME in the server's environment, or from a trusted proxy's X-Forwarded-Prefix, and
never from an untrusted client's."""
import pytest
import yaml

from posts.tests.factories import PostFactory
from testing.images import image_upload

pytestmark = pytest.mark.django_db

BEHIND_PROXY = {"HTTP_X_FORWARDED_PREFIX": "/api"}


@pytest.fixture
def one_trusted_proxy(settings):
    settings.NUM_PROXIES = 1


@pytest.fixture
def prefixed(settings):
    """Request headers that put the API under /api through a trusted proxy.

    SCRIPT_NAME from the server's environment is tested through gunicorn (test_server.py):
    Django's test client does not set the script prefix from it as a real server does.
    """
    settings.NUM_PROXIES = 1
    return BEHIND_PROXY


def test_page_links_and_image_urls_carry_the_prefix(api_client, auth_client, prefixed):
    PostFactory.create_batch(2)
    created = auth_client.post("/posts/", {"title": "pic", "image": image_upload()}, format="multipart", **prefixed)
    assert created.json()["image"].startswith("http://testserver/api/media/images/posts/")
    body = api_client.get("/posts/", {"page_size": 1}, **prefixed).json()
    assert body["next"] == "http://testserver/api/posts/?page=2&page_size=1"
    second = api_client.get("/posts/", {"page_size": 1, "page": 2}, **prefixed).json()
    assert second["previous"] == "http://testserver/api/posts/?page_size=1"
    assert body["results"][0]["profile_image"].startswith("http://testserver/api/static/images/default_profile.")


def test_welcome_schema_and_docs_carry_the_prefix(api_client, client, prefixed):
    welcome = api_client.get("/", **prefixed).json()
    assert welcome["docs"] == "http://testserver/api/docs/"
    assert welcome["schema"] == "http://testserver/api/schema/"
    schema = yaml.safe_load(api_client.get("/schema/", **prefixed).content)
    assert schema["servers"] == [{"url": "/api"}]
    docs = client.get("/docs/", **prefixed).content.decode()
    assert "/api/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert '"/api/schema/"' in docs


def test_a_missing_slash_redirects_under_the_prefix(client, prefixed):
    response = client.get("/profiles", **prefixed)
    assert response.status_code == 301
    assert response["Location"] == "/api/profiles/"


def test_without_a_trusted_proxy_the_clients_prefix_header_is_ignored(api_client):
    PostFactory.create_batch(2)
    body = api_client.get("/posts/", {"page_size": 1}, **BEHIND_PROXY).json()
    assert body["next"] == "http://testserver/posts/?page=2&page_size=1"
    assert "servers" not in yaml.safe_load(api_client.get("/schema/", **BEHIND_PROXY).content)


@pytest.mark.parametrize(
    "value",
    ["//evil.example", "/api?x=1", "https://evil.example/api", "/a b", "api", "/a/../../b", "/..", "/api/.",
     "/" + "a" * 100],
)
def test_a_prefix_that_is_not_a_plain_path_is_ignored(api_client, one_trusted_proxy, value):
    PostFactory.create_batch(2)
    body = api_client.get("/posts/", {"page_size": 1}, HTTP_X_FORWARDED_PREFIX=value).json()
    assert body["next"] == "http://testserver/posts/?page=2&page_size=1"


def test_a_dot_segment_prefix_never_reaches_a_location(client, one_trusted_proxy):
    response = client.get("/profiles", HTTP_X_FORWARDED_PREFIX="/a/../../b")
    assert response["Location"] == "/profiles/"
    longest = "/" + "a" * 99
    assert client.get("/profiles", HTTP_X_FORWARDED_PREFIX=longest)["Location"] == f"{longest}/profiles/"


def test_the_prefix_of_one_request_does_not_leak_into_the_next(api_client, one_trusted_proxy):
    PostFactory.create_batch(2)
    api_client.get("/posts/", **BEHIND_PROXY)
    assert api_client.get("/").json()["docs"] == "http://testserver/docs/"
    body = api_client.get("/posts/", {"page_size": 1}).json()
    assert body["results"][0]["profile_image"].startswith("http://testserver/static/")
