import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from profiles.models import Profile
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_users_list_is_401_for_anonymous(api_client):
    response = api_client.get("/users/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_users_list_is_paginated_in_id_order(auth_client, user):
    others = UserFactory.create_batch(11)
    response = auth_client.get("/users/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 12
    assert body["results"][0] == {"id": user.id, "username": user.username}
    assert [row["id"] for row in body["results"]] == sorted(u.id for u in [user, *others])[:10]
    second = auth_client.get(body["next"]).json()
    assert len(second["results"]) == 2


def test_users_list_page_size_is_capped_at_100(auth_client):
    UserFactory.create_batch(105)
    assert len(auth_client.get("/users/?page_size=500").json()["results"]) == 100


def test_user_detail(auth_client, other_user):
    response = auth_client.get(f"/users/{other_user.id}/")
    assert response.status_code == 200
    assert response.json() == {"id": other_user.id, "username": other_user.username}


def test_unknown_user_is_404_with_detail(auth_client):
    response = auth_client.get("/users/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No User matches the given query."}


def test_users_list_query_count_is_constant(auth_client, django_assert_max_num_queries):
    UserFactory.create_batch(100)
    for size in (10, 100):
        with django_assert_max_num_queries(3):
            assert len(auth_client.get(f"/users/?page_size={size}").json()["results"]) == size


def test_every_user_gets_a_profile_however_created(db):
    api_made = UserFactory()
    call_command("createsuperuser", "--noinput", username="admin", email="admin@example.com", verbosity=0)
    shell_made = get_user_model().objects.create_user("shell", password="x")
    for user in (api_made, get_user_model().objects.get(username="admin"), shell_made):
        assert Profile.objects.filter(owner=user).count() == 1


def test_admin_add_user_creates_its_profile(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1")
    client.force_login(admin)
    response = client.post(
        "/admin/users/user/add/",
        {"username": "fromadmin", "password1": "Str0ng-Admin-Pass", "password2": "Str0ng-Admin-Pass",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert Profile.objects.filter(owner__username="fromadmin").exists()


def test_users_filter_by_exact_username(auth_client):
    wanted = UserFactory(username="ada")
    UserFactory(username="adam")
    UserFactory(username="grace_ada")
    response = auth_client.get("/users/", {"username": "ada"})
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": wanted.id, "username": "ada"}]
    assert auth_client.get("/users/", {"username": "nobody"}).json()["count"] == 0
