"""Work that must not hold up the response: a small pool of worker threads in each process.

A password reset mail must leave after the answer, so that an SMTP server that takes seconds
cannot tell a caller which addresses have accounts, and a slow mail server cannot tie up the
processes that answer requests. `submit(fn, *args)` queues `fn` on this process's workers and
returns at once; what `fn` raises is logged, never re-raised. A worker closes its database
connections after each job. Queued jobs are finished when the process exits (a graceful
restart), not when it is killed: what must survive a crash is recorded in the database instead
(media.stored's PendingFileDeletion); a reset mail lost that way is asked for again.

`BACKGROUND_THREADS` (2) bounds the workers per process; jobs beyond them wait in line.
"""
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pending: set[Future] = set()


def _workers() -> ThreadPoolExecutor:
    """This process's pool, made on first use (so after a server forks its workers)."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.BACKGROUND_THREADS, thread_name_prefix="background"
            )
        return _executor


def _run(fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> None:
    close_old_connections()
    try:
        fn(*args, **kwargs)
    except Exception:
        logger.exception("Background job %s failed", getattr(fn, "__qualname__", fn))
    finally:
        connections.close_all()


def submit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Run `fn(*args, **kwargs)` on a worker thread of this process; return at once."""
    future = _workers().submit(_run, fn, args, kwargs)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)
    return future


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait_idle(timeout: float = 30) -> bool:
    """Wait until every job queued so far (and any they queued) has run; whether they all did."""
    while True:
        with _lock:
            pending = set(_pending)
        if not pending:
            return True
        _, not_done = wait(pending, timeout=timeout)
        if not_done:
            return False
