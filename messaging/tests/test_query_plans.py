"""On PostgreSQL, the thread and the conversation list are served by the conversation indexes.

Sequential scans are switched off for the EXPLAIN only to ask "can an index serve this?": on a
table this small the planner would rightly prefer a scan either way.
"""
import pytest
from django.db import connection, transaction

from messaging.querysets import messages_visible_to, thread_queryset
from messaging.tests.factories import MessageFactory
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
    text = plan(thread_queryset(alice, bob)[:10])
    # Either conversation index answers it: both start with the pair of user ids.
    assert "Index Scan using message_thread_" in text, text
    assert "Sort" not in text, text


def test_conversation_list_reads_the_callers_messages_through_indexes():
    alice, bob = UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob)
    text = plan(messages_visible_to(alice).values("partner"))
    assert "message_thread_newest_idx" in text and "message_thread_high_idx" in text, text
