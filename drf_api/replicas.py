"""Reads from PostgreSQL read replicas (`DATABASE_REPLICA_URLS`), without ever reading stale data
where it matters.

A request's reads go to a healthy replica, except:
- every read of a request that writes (POST, PUT, PATCH, DELETE), and every read inside a
  transaction (an atomic block: locks, checks before a write), which stay on the primary;
- the reads of a user who wrote within `READ_YOUR_WRITES_SECONDS` (5): after a write, its author
  reads from the primary for a moment, whichever process answers (the mark is in the shared
  cache), so they see what they just did however far the replica lags;
- a catch-up read (`?after=<id>`: what a socket missed while it reconnected) must hold everything
  the socket may already have pushed (events are read on the primary), or a replica a moment
  behind would skip a message for good: it reads on the primary;
- the caller's own row and sign-in (users/authentication.py reads them on the primary: a sign-out
  must count at once), and whatever runs outside a request (commands, worker threads).
A request picks one healthy replica, at its first read, and reads all it reads there. A replica is
asked every `REPLICA_CHECK_SECONDS` (2) whether it is up and how far it lags; while
it is down, reads go to the primary. A read request whose replica fails in the middle is answered
again from the primary (ReplicaMiddleware), so stopping a replica costs no request an error.
Responses that read name where in `X-Read-From` (`primary`, or the replica's alias) and, from a
replica, its lag in seconds in `X-Replica-Lag`: for debugging.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.functional import empty
from rest_framework.permissions import SAFE_METHODS

from drf_api.middleware import is_database_unavailable

logger = logging.getLogger(__name__)

LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


# The query parameter of the catch-up reads (messages and notifications newer than an id).
CATCH_UP_PARAM = "after"


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


@dataclass
class Health:
    up: bool = False
    lag: float = 0.0
    checked_at: float = float("-inf")


_health: dict[str, Health] = {}
_health_lock = threading.Lock()


def check(alias: str) -> Health:
    """Whether the replica `alias` answers as a replica, and its lag: asked at most every
    REPLICA_CHECK_SECONDS per process, on a connection of its own (1 s to connect)."""
    with _health_lock:
        health = _health.setdefault(alias, Health())
        if time.monotonic() - health.checked_at < settings.REPLICA_CHECK_SECONDS:
            return health
        health.checked_at = time.monotonic()
    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    params["connect_timeout"] = 1
    try:
        with psycopg.connect(**params, autocommit=True) as connection:
            in_recovery, lag = connection.execute(LAG_SQL).fetchone()
        up, lag = bool(in_recovery), float(lag)
    except psycopg.Error as error:
        if health.up:
            logger.warning("Replica %s is down (%s): reading from the primary", alias, error)
        up, lag = False, 0.0
    health.up, health.lag = up, lag
    return health


def mark_down(alias: str) -> None:
    with _health_lock:
        health = _health.setdefault(alias, Health())
        health.up, health.checked_at = False, time.monotonic()


@dataclass
class Reads:
    """Where the current request reads."""

    request: Any
    primary_only: bool = False
    sticky: bool | None = None  # the caller wrote moments ago (None: not asked yet)
    asking: bool = False  # reading the sticky mark itself
    replica: str | None = None  # the healthy replica its reads go to, picked once (the primary's alias if none)
    used: set[str] = field(default_factory=set)


_reads: ContextVar[Reads | None] = ContextVar("drf_api_reads", default=None)


def sticky_key(user_id: int) -> str:
    return f"drf_api:wrote:{user_id}"


def authenticated_user_id(request: Any) -> int | None:
    """The caller once DRF has authenticated them (it sets the request's `user`), else None; the
    lazy session user is never evaluated here (that would read, from inside a read)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.id if getattr(user, "is_authenticated", False) else None


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        reads = _reads.get()
        if reads is not None and reads.asking:
            return DEFAULT_DB_ALIAS
        if reads is None or reads.primary_only or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return self.primary(reads)
        if reads.sticky is None:
            user_id = authenticated_user_id(reads.request)
            if user_id is not None:
                # Asked once per request, on the primary (the cache may be a table, read through here).
                reads.asking = True
                try:
                    reads.sticky = bool(caches["throttle"].get(sticky_key(user_id)))
                finally:
                    reads.asking = False
        if reads.sticky:
            return self.primary(reads)
        if reads.replica is None:
            healthy = [alias for alias in replica_aliases() if check(alias).up]
            reads.replica = random.choice(healthy) if healthy else DEFAULT_DB_ALIAS
        if reads.replica == DEFAULT_DB_ALIAS:
            return self.primary(reads)
        reads.used.add(reads.replica)
        return reads.replica

    @staticmethod
    def primary(reads: Reads | None) -> str:
        if reads is not None:
            reads.used.add("primary")
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Where each request reads (ReplicaRouter), the read-your-own-writes mark after a write, the
    debugging headers, and a read request answered again from the primary when its replica fails."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        primary_only = request.method not in SAFE_METHODS or CATCH_UP_PARAM in request.GET
        token = _reads.set(Reads(request, primary_only=primary_only))
        try:
            response = self.get_response(request)
            reads = _reads.get()
            user_id = authenticated_user_id(request)
            if request.method not in SAFE_METHODS and response.status_code < 400 and user_id is not None:
                caches["throttle"].set(sticky_key(user_id), 1, timeout=settings.READ_YOUR_WRITES_SECONDS)
            # What is not routed (writes, the caller's own read) is the primary's.
            response["X-Read-From"] = ", ".join(sorted(reads.used)) or "primary"
            lags = [_health[alias].lag for alias in reads.used if alias in _health]
            if lags:
                response["X-Replica-Lag"] = f"{max(lags):.3f}"
            return response
        finally:
            _reads.reset(token)

    def process_exception(self, request, exception):
        reads = _reads.get()
        if reads is None or not is_database_unavailable(exception) or request.method not in SAFE_METHODS:
            return None
        failed = [alias for alias in reads.used if alias != "primary"]
        if not failed:
            return None
        for alias in failed:
            mark_down(alias)
            connections[alias].close()
        logger.warning("Replica %s failed during %s %s: answering from the primary", failed, request.method,
                       request.path)
        reads.primary_only, reads.replica, reads.used = True, None, set()
        return self.get_response(request)
