"""gunicorn's worker for the Procfile's `live` process (`--worker-class drf_api.gunicorn_live.LiveWorker`).

uvicorn's worker, with WebSocket frames capped where they are read: uvicorn would otherwise take
frames of up to 16 MB into memory before the consumer could refuse them. A larger frame closes
the socket with 1009, as the consumer's own check does (realtime/consumers.py) under servers
that have no such setting (Daphne in `make run`). The cap is WEBSOCKET_MAX_FRAME_BYTES, read
from the environment here because gunicorn loads worker classes before Django's settings.
"""
import os

from uvicorn_worker import UvicornWorker


class LiveWorker(UvicornWorker):
    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "ws_max_size": int(os.environ.get("WEBSOCKET_MAX_FRAME_BYTES", "4096")),
    }
