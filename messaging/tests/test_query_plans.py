"""On PostgreSQL, the thread and the conversation list are served by the conversation indexes.

Sequential scans are switched off for the EXPLAIN only to ask "can an index serve this?": on a
table this small the planner would rightly prefer a scan either way.
"""
import pytest
from django.db import connection, transaction

from messaging.querysets import conversation_sql, thread_queryset
from messaging.tests.factories import MessageFactory
from safety.visibility import visible
from users.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]


def plan(queryset):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_thread_is_an_index_scan_newest_first():
    alice, bob = UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob)
    text = plan(visible(thread_queryset(alice, bob), alice)[:10])  # as the thread's read path lists it
    # Either conversation index answers it: both start with the pair of user ids.
    assert "Index Scan using message_thread_" in text, text
    assert "Sort" not in text, text


def test_conversation_list_probes_the_indexes_instead_of_reading_every_message():
    """Partners by skipping along both conversation indexes, each one's newest message by one
    more probe, unread counts from the partial index of unread messages: nothing reads all of
    the caller's messages, so the cost follows the number of conversations."""
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob)
    MessageFactory(sender=carol, recipient=alice)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + conversation_sql(), {"user": alice.id})
        text = "\n".join(row[0] for row in cursor.fetchall())
    # (Which of the two thread indexes serves which half, and which index counts the unread ones,
    # is the planner's pick on a table this small; on the benchmark's each half has its own, and
    # the unread ones are counted in message_unread_idx.)
    assert "Index Only Scan using message_thread_" in text, text
    assert "Seq Scan on messaging_message" not in text and "HashAggregate" not in text, text
