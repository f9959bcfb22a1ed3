"""No log line carries a token: the socket's `?token=` and any JWT are cut out before writing.

A WebSocket client may put its access token in the URL (`/ws/?token=eyJ…`), and servers log
request lines: uvicorn ("WebSocket /ws/?token=…"), gunicorn's access log, Django's "Not Found".
`HideTokens` rewrites a record's message: the query string of a `/ws/` path is dropped, and
anything shaped like a JWT (three base64url parts, the first `eyJ`) becomes `[token]`. It sits
on the console handler (settings.LOGGING) and on the servers' own loggers, which gunicorn and
uvicorn give handlers of their own (`install()`, from the app's ready()).
"""
import logging
import re

SOCKET_QUERY = re.compile(r"(/ws/?)\?[^\s\"']*")
JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]+")
SERVER_LOGGERS = [
    "gunicorn.access", "gunicorn.error", "uvicorn.access", "uvicorn.error", "daphne.server",
    "daphne.http_protocol", "daphne.ws_protocol", "django.channels.server", "django.server", "django.request",
]


def without_tokens(text):
    return JWT.sub("[token]", SOCKET_QUERY.sub(r"\1", text))


class HideTokens(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = without_tokens(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install():
    """Put the filter on the servers' loggers (their records never reach our console handler)."""
    hide = HideTokens()
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, HideTokens) for existing in logger.filters):
            logger.addFilter(hide)
