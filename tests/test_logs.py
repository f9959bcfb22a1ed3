"""No log line carries a token: a full run of the recipe (nginx, the Procfile's `web` and `live`
processes at production log levels, Redis) through every way a token travels, then every log read."""
import json
import re
from contextlib import ExitStack

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from testing.servers import gunicorn_server, nginx_in_front, redis_server, server_env, sign_up

pytestmark = pytest.mark.server

JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]+")


def test_no_log_line_of_a_full_run_carries_a_token(live_database_url, tmp_path):
    logs = {"web": tmp_path / "web.log", "live": tmp_path / "live.log"}
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server())
        env = server_env(live_database_url, NUM_PROXIES="1", SECURE_COOKIES="off", REDIS_URL=redis_url)
        web = stack.enter_context(gunicorn_server(env, workers=1, log_path=logs["web"]))
        live = stack.enter_context(gunicorn_server(env, workers=1, live=True, log_path=logs["live"]))
        origin = stack.enter_context(nginx_in_front(web, live, {"index.html": "app"}, log_dir=tmp_path))
        api, sockets = f"{origin}/api", f"{origin.replace('http://', 'ws://')}/api/ws/"
        me = sign_up(api, "logged")
        tokens = {me["access_token"], me["refresh_token"]}
        login = requests.post(f"{api}/dj-rest-auth/login/",
                              json={"username": me["user"]["username"], "password": me["password"]}, timeout=10)
        tokens |= {login.json()["access_token"], login.json()["refresh_token"]}
        refreshed = requests.post(f"{api}/dj-rest-auth/token/refresh/",
                                  json={"refresh": login.json()["refresh_token"]}, timeout=10).json()
        tokens |= {refreshed["access"], refreshed["refresh"]}
        access = refreshed["access"]
        # The socket every way: ?token= through nginx and straight to `live`, the subprotocol, and
        # refused handshakes (a bad token, a token in a REST query) that servers log as errors.
        for url in (f"{sockets}?token={access}", f"{live.replace('http://', 'ws://')}/ws/?token={access}"):
            with connect(url) as socket:
                socket.send(json.dumps({"type": "typing", "to": 0}))
                assert json.loads(socket.recv(timeout=5))["type"] == "error"
        with connect(sockets, subprotocols=["bearer", access]) as socket:
            socket.send("not json")
            socket.recv(timeout=5)
        with pytest.raises(InvalidStatus):
            connect(f"{sockets}?token={access[:-4]}abcd").close()
        requests.get(f"{api}/nowhere/?token={access}", timeout=10)
        requests.get(f"{api}/posts/", headers={"Authorization": f"Bearer {access}"}, timeout=10)
        requests.post(f"{api}/dj-rest-auth/logout/", json={"refresh": refreshed["refresh"]}, timeout=10)
    logs.update(nginx=tmp_path / "access.log", nginx_errors=tmp_path / "error.log")
    texts = {name: path.read_text() for name, path in logs.items()}
    assert "/ws/" in texts["live"] and "/api/ws/" in texts["nginx"], "positive control: the socket was logged"
    assert "/posts/" in texts["web"] and "/api/posts/" in texts["nginx"], "positive control: so was REST"
    for name, text in texts.items():
        assert not JWT.search(text), (name, JWT.search(text))
        for token in tokens:
            assert token.split(".")[2] not in text, name
