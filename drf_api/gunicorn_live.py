"""gunicorn's worker for the Procfile's `live` process (`--worker-class drf_api.gunicorn_live.LiveWorker`).

uvicorn's worker, with WebSocket frames capped where they are read: uvicorn would otherwise take
frames of up to 16 MB into memory before the consumer could refuse them. A larger frame closes
the socket with 1009, as the consumer's own check does (realtime/consumers.py) under servers
that have no such setting (Daphne in `make run`). The cap is WEBSOCKET_MAX_FRAME_BYTES, read
from the environment here because gunicorn loads worker classes before Django's settings.

Each open socket is a file descriptor: the process raises its own soft limit on open files to the
hard limit when it loads this (a soft limit of 1,024 is common and would refuse the 1,021st
socket; make bench-live holds 10,000 on one worker).
"""
import os
import resource

from uvicorn_worker import UvicornWorker


class LiveWorker(UvicornWorker):
    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "ws_max_size": int(os.environ.get("WEBSOCKET_MAX_FRAME_BYTES", "4096")),
    }


def raise_open_files_limit(ceiling=1 << 20):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


raise_open_files_limit()
