"""Paging at scale (drf_api/pagination.py, drf_api/counting.py): cursor paging beside page
numbers on every list, pages read by their ids first, and the whole posts list's count kept
by the database instead of counted."""
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.querysets import comment_queryset
from comments.tests.factories import CommentFactory
from drf_api.counting import exact_count, stored_count
from followers.querysets import follower_queryset
from followers.tests.factories import FollowerFactory
from likes.querysets import like_queryset
from likes.tests.factories import LikeFactory
from posts.models import Post
from posts.querysets import orderable_posts
from posts.tests.factories import PostFactory
from profiles.models import Profile
from profiles.querysets import orderable_profiles
from safety.visibility import visible
from testing.clients import at_once
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own features")


@pytest.fixture
def community(user):
    """Enough rows that every list below has at least three pages of 3."""
    others = UserFactory.create_batch(10)
    posts = PostFactory.create_batch(26, owner=user)
    for post in posts:
        LikeFactory(post=post)
        CommentFactory(post=post)
    for other in others:
        FollowerFactory(owner=other, followed=user)
    return posts


def walk(client, url, params):
    """Every id of a list, page after page through `next`; and the pages' bodies."""
    ids, bodies = [], []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids, bodies
        response = client.get(body["next"])


LISTS = ["/posts/", "/profiles/", "/comments/", "/likes/", "/followers/", "/users/"]


@pytest.mark.parametrize("url", LISTS)
def test_cursor_paging_walks_the_same_rows_in_the_same_order_as_page_numbers(auth_client, community, url):
    by_number, _ = walk(auth_client, url, {"page_size": 3})
    by_cursor, bodies = walk(auth_client, url, {"cursor": "", "page_size": 3})
    assert by_cursor == by_number and len(by_number) >= 10
    assert all("count" not in body for body in bodies)
    assert bodies[0]["previous"] is None
    # `previous` leads back to the page before.
    back = auth_client.get(bodies[2]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in bodies[1]["results"]]


@pytest.mark.parametrize(
    "url",
    [*LISTS, "/notifications/", "/posts/?search=post", "/profiles/most_followed/", "/comments/?post=1"],
)
@pytest.mark.parametrize("page", ["9999999999999999999999999", "9223372036854775807", "99999"])
def test_a_page_past_the_last_is_404_however_large(auth_client, community, url, page):
    separator = "&" if "?" in url else "?"
    response = auth_client.get(f"{url}{separator}page={page}")
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_cursor_paging_keeps_the_filters(api_client, community, user):
    liker = community[0].likes.get().owner
    expected, _ = walk(api_client, "/posts/", {"liked": liker.profile.id})
    assert walk(api_client, "/posts/", {"liked": liker.profile.id, "cursor": ""})[0] == expected == [community[0].id]
    mine, _ = walk(api_client, "/posts/", {"owner": user.profile.id, "cursor": "", "page_size": 5})
    assert mine == [post.id for post in reversed(community)]


def test_a_cursor_page_costs_the_same_queries_however_deep_or_large(api_client, community, django_assert_num_queries):
    first = api_client.get("/posts/", {"cursor": "", "page_size": 2}).json()
    deep = first
    for _ in range(5):
        deep = api_client.get(deep["next"]).json()
    with CaptureQueriesContext(connection) as shallow_queries:
        api_client.get("/posts/", {"cursor": "", "page_size": 2})
    for url, params in [(deep["next"], None), ("/posts/", {"cursor": "", "page_size": 100})]:
        with django_assert_num_queries(len(shallow_queries)):
            assert api_client.get(url, params).status_code == 200


def test_cursor_errors_are_clear_4xx(api_client, community):
    with_ordering = api_client.get("/posts/", {"cursor": "", "ordering": "likes_count"})
    assert with_ordering.status_code == 400 and "cursor" in with_ordering.json()
    forged = api_client.get("/posts/", {"cursor": "o=x"})
    assert forged.status_code == 404 and "cursor" in forged.json()["detail"]
    assert api_client.get("/posts/", {"cursor": "", "page_size": "0"}).status_code == 400


def test_the_thread_pages_by_number_only(auth_client, user, other_user):
    """Its pages read newest-first and show oldest-first: a cursor is not offered there."""
    response = auth_client.get(f"/messages/{other_user.id}/", {"cursor": ""})
    assert response.status_code == 200 and "count" in response.json()


def test_the_schema_documents_the_cursor_and_an_optional_count(api_client):
    schema = json.loads(api_client.get("/schema/", {"format": "json"}).content)
    parameters = {parameter["name"] for parameter in schema["paths"]["/posts/"]["get"]["parameters"]}
    assert {"cursor", "page", "page_size"} <= parameters
    paged = schema["components"]["schemas"]["PaginatedPostList"]
    assert paged["required"] == ["results"] and "cursor" in paged["properties"]["count"]["description"]


def test_every_page_holds_exactly_the_rows_of_a_plain_slice(api_client, community):
    """Pages are read by their ids first; they hold what slicing the list would give, in order."""
    newest_first = list(orderable_posts().values_list("id", flat=True))
    for ordering, expected in [(None, newest_first), ("created_at", newest_first[::-1])]:
        for page in range(1, 5):
            params = {"page": page, "page_size": 7, **({"ordering": ordering} if ordering else {})}
            body = api_client.get("/posts/", params).json()
            assert body["count"] == 26
            assert [row["id"] for row in body["results"]] == expected[(page - 1) * 7:page * 7]


@postgresql_only
def test_a_deep_page_builds_only_its_own_rows(api_client, community):
    """The page's ids come from the index first: the like and comment counts are computed for the
    5 rows shown, not for the 21 skipped before them (PostgreSQL evaluates a row's select list
    before OFFSET throws it away)."""
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/posts/", {"page": 4, "page_size": 7}).status_code == 200
    # The query that counts likes and comments (posts.querysets.post_rows), not the one that pages.
    (page_sql,) = [query["sql"] for query in queries.captured_queries if "COUNT(*) FROM likes_like" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_sql)
        plan = cursor.fetchone()[0]
    subplan_loops = []

    def relations(node):
        return {node.get("Relation Name"), *(name for child in node.get("Plans", []) for name in relations(child))}

    def visit(node):
        # The subplans that count a row's likes and comments (not the safety rule's, run once).
        counts_a_row = relations(node) & {"likes_like", "comments_comment"}
        if node.get("Parent Relationship") == "SubPlan" and counts_a_row:
            subplan_loops.append(node["Actual Loops"])
        for child in node.get("Plans", []):
            visit(child)

    visit(plan[0]["Plan"])
    assert subplan_loops and set(subplan_loops) == {5}, plan  # the last page: 26 - 21 = 5 rows


@postgresql_only
def test_the_whole_posts_list_reads_its_count_and_a_filtered_one_counts(api_client, community, user):
    """Either way the count comes along in the one statement that reads the page."""
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/posts/").json()["count"] == 26
    (sql,) = [query["sql"] for query in queries.captured_queries]
    # Read, less what the caller does not see (hidden posts: a count in their partial index; the
    # others by unseen users: their kept counts), not counted row by row.
    assert "drf_api_row_count" in sql and sql.count("COUNT(*) FROM (") == 1 and "posts_shown_count" in sql
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/posts/", {"owner": user.profile.id, "page": 2, "page_size": 20}).json()["count"] == 26
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert "drf_api_row_count" not in sql and "COUNT(*) FROM (" in sql


@pytest.mark.parametrize("params, count, shown", [
    ({}, 26, 10), ({"page": 3}, 26, 6), ({"search": "no such words"}, 0, 0), ({"page": 4}, None, None),
])
def test_a_page_and_its_count_agree_however_they_were_read(api_client, community, params, count, shown):
    """The paginator takes the count from the page's own read where it can; an empty page after
    the first cannot bring one, so it is counted, and is still a 404."""
    response = api_client.get("/posts/", params)
    if count is None:
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}
    else:
        assert (response.json()["count"], len(response.json()["results"])) == (count, shown)


@postgresql_only
def test_the_kept_count_follows_every_kind_of_write(community, user):
    def agrees():
        return stored_count("posts_post") == Post.objects.count() == exact_count(Post.objects.all())

    assert agrees()
    Post.objects.bulk_create([Post(owner=user, title=f"Bulk {n}") for n in range(5)])
    assert agrees() and Post.objects.count() == 31
    Post.objects.filter(title__startswith="Bulk").delete()
    assert agrees()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO posts_post (owner_id, created_at, updated_at, title, content, image, "
                       "image_filter) VALUES (%s, now(), now(), 'Raw', '', '', 'normal')", [user.id])
    assert agrees() and Post.objects.count() == 27
    try:
        with transaction.atomic():
            PostFactory(owner=user)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert agrees()
    user.delete()  # cascades to the user's posts
    assert agrees() and Post.objects.count() == 0


@postgresql_only
def test_the_whole_profiles_list_reads_its_kept_count(api_client, community, user):
    """Profiles are counted like posts (profiles/migrations/0004). Likes, comments and follows are
    not: with their counter rows locked by each write until commit, deleting a post while others
    liked and commented on it failed with a 503 (tests/test_races.py), so their lists still count."""
    with CaptureQueriesContext(connection) as queries:
        count = api_client.get("/profiles/").json()["count"]
    assert count == Profile.objects.count()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "drf_api_row_count" in sql and "__count" not in sql  # no COUNT(*) AS "__count" of the list
    user.delete()  # the profile goes with its user
    assert stored_count("profiles_profile") == Profile.objects.count() == count - 1


@postgresql_only
@pytest.mark.parametrize("rows, index", [
    (lambda user: orderable_posts(), "post_newest_shown_idx"),
    (lambda user: orderable_profiles(), "profile_newest_idx"),
    (lambda user: comment_queryset(), "comment_newest_idx"), (lambda user: like_queryset(), "like_newest_idx"),
    (lambda user: follower_queryset(), "follower_newest_idx"),
])
def test_every_list_pages_by_walking_an_index_in_its_own_order(community, user, rows, index):
    """No list sorts all its rows to show ten (the likes list sorted a million: 160 ms a page),
    with what the caller may see applied as the API applies it (safety/visibility.py). A table
    this small would be sorted whole, so sequential scans and sorts are switched off to ask "can an
    index walk serve this?"."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = visible(rows(user), user)[:10].explain()
    # Nothing above the walk sorts (a subquery's own one-row sort, further down, is no matter).
    assert index in plan and "Sort" not in plan.split(index)[0], plan


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_kept_count_is_right_after_concurrent_writes_and_truncate():
    owner = UserFactory()
    at_once([lambda n=n: PostFactory(owner=owner, title=f"At once {n}") for n in range(8)])
    assert stored_count("posts_post") == Post.objects.count() == 8
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE posts_post CASCADE")
    assert stored_count("posts_post") == 0


@postgresql_only
def test_search_can_use_the_trigram_indexes(community):
    """`?search=`'s two halves each match an index expression (small tables would be scanned, so
    sequential and plain index scans are switched off to ask "can an index serve this?")."""
    from posts.filters import PostSearchFilter

    queryset = PostSearchFilter().filter_queryset(
        type("Request", (), {"query_params": {"search": "sunset"}})(), orderable_posts(), None
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "post_title_trigram_idx" in plan and "user_username_trigram_idx" in plan, plan


@postgresql_only
def test_prepared_statements_are_planned_for_their_own_values():
    """Statements are prepared (parsed once per connection) but never run on a generic plan: one
    made for any values read a long thread's first page 190 times slower (make bench)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('jit')")
        assert cursor.fetchone() == ("force_custom_plan", "off")
    assert connection.connection.prepare_threshold == 5


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_kept_count_of_each_owners_shown_posts_follows_every_kind_of_write():
    """posts_shown_count (Post.rows_counted_by, drf_api.counting.CountRowsBy) agrees with the posts
    after inserts, bulk inserts, hiding, showing, moving, deleting, a cascade and TRUNCATE."""
    alice, bob = UserFactory(), UserFactory()

    def kept():
        with connection.cursor() as cursor:
            cursor.execute("SELECT owner_id, row_count FROM posts_shown_count WHERE row_count <> 0 ORDER BY owner_id")
            return dict(cursor.fetchall())

    def counted():
        shown = Post.objects.filter(hidden_at=None).values_list("owner_id", flat=True)
        return {owner: list(shown).count(owner) for owner in sorted(set(shown))}

    posts = [PostFactory(owner=alice) for _ in range(3)]
    Post.objects.bulk_create([Post(owner=bob, title=f"Bulk {n}") for n in range(4)])
    assert kept() == counted() == {alice.id: 3, bob.id: 4}
    Post.objects.filter(pk__in=[posts[0].pk, posts[1].pk]).update(hidden_at=timezone.now())
    assert kept() == counted() == {alice.id: 1, bob.id: 4}
    Post.objects.filter(pk=posts[0].pk).update(hidden_at=None)
    Post.objects.filter(owner=bob).update(title="Edited")  # an update that changes nothing counted
    assert kept() == counted() == {alice.id: 2, bob.id: 4}
    Post.objects.filter(pk=posts[2].pk).update(owner=bob)
    assert kept() == counted() == {alice.id: 1, bob.id: 5}
    posts[0].delete()
    bob.delete()  # the cascade deletes bob's posts
    assert kept() == counted() == {}
    PostFactory(owner=alice)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE posts_post CASCADE")
    assert kept() == counted() == {}
