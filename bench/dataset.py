"""The benchmark's dataset: a community at real scale, built in bulk by PostgreSQL itself.

Every row comes from `generate_series` and modular arithmetic (no randomness), so two builds
of one scale are identical, and a database that already holds the dataset is reused as it is.
The rows are what the API itself would have written: one profile per user, no self-follows or
self-messages, one like per user and post, messages carrying their thread columns.

User 1 is the benchmark's signed-in user: it follows `power_follows` users (its feed), and has
`conversations` conversations, one of them (with user 2) a thread of `thread_messages` messages.
User 4 (`GUARDED`) follows the same users, blocks `blocks` others, mutes `mutes` of those it
follows and is blocked by ten: the viewer whose lists the safety rule filters most. Everyone sees
a few hidden posts and a few deactivated users left out (safety/visibility.py).
"""
import json
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection

from drf_api import counting

PASSWORD = "bench-password-4821"
SEARCH_WORDS = [
    "sunset", "harbour", "mountain", "coffee", "street", "garden", "winter", "market", "river", "portrait",
    "forest", "bridge", "festival", "island", "concert", "morning", "library", "station", "desert", "lantern",
]
# Each post is somewhere: 900 places (a search for one finds about 0.1% of the posts).
PLACE_STARTS = [
    "Ash", "Bel", "Cor", "Dun", "Elm", "Fen", "Glen", "Hart", "Ivy", "Kel", "Lang", "Mar", "Nor", "Oak", "Pen",
    "Quen", "Ros", "Sal", "Thorn", "Ul", "Ven", "Wes", "Yar", "Zel", "Brack", "Craig", "Dal", "Fair", "Gold", "Hol",
]
PLACE_ENDS = [
    "bridge", "ford", "wick", "mouth", "bury", "ton", "ham", "field", "moor", "stead", "dale", "combe", "port", "gate",
    "haven", "hurst", "ley", "mere", "well", "worth", "by", "thorpe", "holm", "shaw", "wood", "cliff", "brook",
    "stow", "wold", "minster",
]
SEARCH_TERM = "Kelbridge"
# The viewer with blocks and mutes (as many as the scale says).
GUARDED = 4
# Bump when the rows built for a scale change, so that a kept database is not reused.
VERSION = 3


@dataclass(frozen=True)
class Scale:
    users: int
    posts: int
    likes_per_post: int
    comments_per_post: int
    follows_per_user: int
    power_follows: int
    conversations: int
    thread_messages: int
    messages_per_conversation: int
    other_messages: int
    blocks: int
    mutes: int

    @property
    def likes(self):
        return self.posts * self.likes_per_post

    @property
    def comments(self):
        return self.posts * self.comments_per_post

    @property
    def messages(self):
        return self.thread_messages + (self.conversations - 1) * self.messages_per_conversation + self.other_messages


# At least 5,000 users, 200,000 posts, 1,000,000 likes, 400,000 comments, 100,000 follows and
# 500,000 messages (the floor).
FULL = Scale(
    users=5_000, posts=200_000, likes_per_post=5, comments_per_post=2, follows_per_user=20, power_follows=500,
    conversations=300, thread_messages=20_000, messages_per_conversation=50, other_messages=465_050,
    blocks=50, mutes=50,
)
# Seconds to build: the same shapes, for `make bench-smoke`.
SMOKE = Scale(
    users=60, posts=600, likes_per_post=3, comments_per_post=2, follows_per_user=5, power_follows=20,
    conversations=12, thread_messages=250, messages_per_conversation=5, other_messages=300,
    blocks=5, mutes=5,
)


def run(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def scalar(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def built_scale():
    """The scale the database holds, or None when it holds no (complete) dataset."""
    if not scalar("SELECT to_regclass('bench_dataset') IS NOT NULL"):
        return None
    return json.loads(scalar("SELECT scale::text FROM bench_dataset"))


def build(scale, progress=print):
    """Fill an empty, migrated database with `scale`'s dataset, or reuse the one it holds."""
    wanted = {**asdict(scale), "version": VERSION}
    existing = built_scale()
    if existing == wanted:
        progress("dataset: reusing the one in the database")
        return False
    if existing is not None or scalar("SELECT count(*) FROM users_user"):
        raise RuntimeError("the database holds other data: benchmark against a database of its own")
    params = {
        **wanted, "password": make_password(PASSWORD), "words": SEARCH_WORDS, "starts": PLACE_STARTS,
        "ends": PLACE_ENDS, "guarded": GUARDED,
    }
    with connection.cursor() as cursor:
        # Foreign keys are checked by construction here; skipping their triggers halves the build.
        cursor.execute("SET session_replication_role = replica")
        for name, sql in STEPS:
            progress(f"dataset: {name}")
            # One statement at a time: parameters are bound by the server (drf_api/settings.py),
            # and a prepared statement holds one command.
            for statement in filter(str.strip, sql.split(";")):
                cursor.execute(statement, params)
        cursor.execute("SET session_replication_role = DEFAULT")
        counting.recount()  # the triggers that keep row counts did not run
        cursor.execute("CREATE TABLE bench_dataset (scale jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_dataset VALUES (%s::jsonb)", [json.dumps(wanted)])
    progress("dataset: VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return True


# Times run back from a fixed moment, a post every few minutes: two years of a community.
EPOCH = "TIMESTAMPTZ '2026-11-30 12:00:00+00'"

STEPS = [
    ("users and profiles", f"""
        INSERT INTO users_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                is_active, date_joined)
        SELECT %(password)s, false, 'user' || lpad(n::text, 5, '0'), '', '', 'user' || n || '@bench.test',
               false, true, {EPOCH} - interval '800 days' + n * interval '1 minute'
        FROM generate_series(1, %(users)s) AS n;
        INSERT INTO profiles_profile (owner_id, created_at, updated_at, name, content, image)
        SELECT id, date_joined, date_joined, 'User ' || id, 'About user ' || id, '' FROM users_user;
    """),
    ("posts", f"""
        INSERT INTO posts_post (owner_id, created_at, updated_at, title, content, image, image_filter)
        SELECT 1 + (n * 7919) %% %(users)s,
               {EPOCH} - (%(posts)s - n) * interval '5 minutes',
               {EPOCH} - (%(posts)s - n) * interval '5 minutes',
               'Post ' || n || ': ' || (%(words)s::text[])[1 + n %% 20] || ' and '
                   || (%(words)s::text[])[1 + (n / 20) %% 20] || ' in '
                   || (%(starts)s::text[])[1 + (n / 7) %% 30] || (%(ends)s::text[])[1 + (n / 210) %% 30],
               repeat('A day out, written up. ', 1 + n %% 8), '', 'normal'
        FROM generate_series(1, %(posts)s) AS n;
    """),
    ("likes", """
        INSERT INTO likes_like (owner_id, post_id, created_at)
        SELECT 1 + (p.id * 31 + k * 997) %% %(users)s, p.id, p.created_at + k * interval '1 minute'
        FROM posts_post AS p CROSS JOIN generate_series(0, %(likes_per_post)s - 1) AS k;
    """),
    ("comments", """
        INSERT INTO comments_comment (owner_id, post_id, created_at, updated_at, content)
        SELECT 1 + (p.id * 17 + k * 613) %% %(users)s, p.id, p.created_at + k * interval '2 minutes',
               p.created_at + k * interval '2 minutes', 'Comment ' || k || ' on post ' || p.id
        FROM posts_post AS p CROSS JOIN generate_series(1, %(comments_per_post)s) AS k;
    """),
    ("follows", f"""
        INSERT INTO followers_follower (owner_id, followed_id, created_at)
        SELECT 1, n, {EPOCH} - n * interval '1 hour' FROM generate_series(2, %(power_follows)s + 1) AS n;
        INSERT INTO followers_follower (owner_id, followed_id, created_at)
        SELECT u, 1 + (u - 1 + k * 241) %% %(users)s, {EPOCH} - (u * 20 + k) * interval '1 minute'
        FROM generate_series(2, %(users)s) AS u CROSS JOIN generate_series(1, %(follows_per_user)s) AS k
        ON CONFLICT DO NOTHING;
    """),
    ("blocks, mutes, hidden posts and deactivated users", f"""
        INSERT INTO followers_follower (owner_id, followed_id, created_at)
        SELECT %(guarded)s, followed_id, created_at FROM followers_follower WHERE owner_id = 1
        AND followed_id <> %(guarded)s ON CONFLICT DO NOTHING;
        INSERT INTO safety_block (owner_id, blocked_id, created_at)
        SELECT %(guarded)s, %(power_follows)s + 10 + n, {EPOCH} - n * interval '1 day'
        FROM generate_series(1, %(blocks)s) AS n;
        INSERT INTO safety_block (owner_id, blocked_id, created_at)
        SELECT %(power_follows)s + %(blocks)s + 20 + n, %(guarded)s, {EPOCH} - n * interval '1 day'
        FROM generate_series(1, 10) AS n;
        INSERT INTO safety_mute (owner_id, muted_id, created_at)
        SELECT %(guarded)s, 4 + n, {EPOCH} - n * interval '1 day' FROM generate_series(1, %(mutes)s) AS n;
        DELETE FROM followers_follower AS f USING safety_block AS b
        WHERE (f.owner_id = b.owner_id AND f.followed_id = b.blocked_id)
           OR (f.owner_id = b.blocked_id AND f.followed_id = b.owner_id);
        UPDATE posts_post SET hidden_at = {EPOCH} WHERE id %% 997 = 0;
        UPDATE users_user SET is_active = false
        WHERE id IN (SELECT %(power_follows)s + %(blocks)s + 30 + n FROM generate_series(1, 5) AS n);
    """),
    ("messages", f"""
        INSERT INTO messaging_message (sender_id, recipient_id, content, image, timestamp, read)
        SELECT CASE WHEN n %% 2 = 0 THEN 1 ELSE 2 END, CASE WHEN n %% 2 = 0 THEN 2 ELSE 1 END,
               'Thread message ' || n, '', {EPOCH} - (%(thread_messages)s - n) * interval '3 minutes',
               n < %(thread_messages)s - 5
        FROM generate_series(1, %(thread_messages)s) AS n;
        INSERT INTO messaging_message (sender_id, recipient_id, content, image, timestamp, read)
        SELECT CASE WHEN n %% 2 = 0 THEN 1 ELSE c END, CASE WHEN n %% 2 = 0 THEN c ELSE 1 END,
               'Message ' || n || ' with user ' || c, '',
               {EPOCH} - (c * 1000 + %(messages_per_conversation)s - n) * interval '1 minute',
               n < %(messages_per_conversation)s - 1
        FROM generate_series(3, %(conversations)s + 1) AS c
        CROSS JOIN generate_series(1, %(messages_per_conversation)s) AS n;
        INSERT INTO messaging_message (sender_id, recipient_id, content, image, timestamp, read)
        SELECT s, 2 + (s - 2 + 1 + n %% LEAST(97, %(users)s - 2)) %% (%(users)s - 1), 'Message ' || n, '',
               {EPOCH} - n * interval '1 minute', true
        FROM (SELECT n, 2 + (n * 13) %% (%(users)s - 1) AS s FROM generate_series(1, %(other_messages)s) AS n) AS m;
    """),
]
