"""ReplicaRouter's choice (drf_api/replicas.py): one replica per request, and every replica used."""
import time

from django.conf import settings
from django.test import override_settings

from drf_api import replicas
from posts.models import Post

REPLICAS = ("replica_1", "replica_2")


def test_a_request_reads_everything_from_the_one_replica_it_picked_and_requests_spread_over_them(rf):
    router = replicas.ReplicaRouter()
    databases = {**settings.DATABASES, **dict.fromkeys(REPLICAS, settings.DATABASES["default"])}
    with override_settings(DATABASES=databases):
        # Both replicas were just found healthy (no connection is made while that holds).
        for alias in REPLICAS:
            replicas._health[alias] = replicas.Health(up=True, checked_at=time.monotonic() + 3600)
        picked = []
        try:
            for _ in range(30):
                token = replicas._reads.set(replicas.Reads(rf.get("/posts/")))
                try:
                    picked.append({router.db_for_read(Post) for _ in range(10)})
                finally:
                    replicas._reads.reset(token)
        finally:
            for alias in REPLICAS:
                replicas._health.pop(alias)
    assert all(len(aliases) == 1 for aliases in picked), picked
    assert set().union(*picked) == set(REPLICAS)
