"""The limits that stop password guessing are one limit per client, however many processes serve
it: three synchronous workers of the Procfile's `web` process, no Redis (the counts live in the
database), sequential attempts (each a new connection, taken by whichever worker is free)."""
import re

import pytest
import requests

from testing.servers import gunicorn_server, server_env, sign_up, two_live_servers

pytestmark = pytest.mark.server

RATE = 5
ATTEMPTS = 14


@pytest.fixture(scope="module")
def server(live_database_url):
    env = server_env(live_database_url, THROTTLING="on", SECURE_COOKIES="off", THROTTLE_RATE_AUTH=f"{RATE}/min",
                     THROTTLE_RATE_ANON="1000/min", THROTTLE_RATE_REFRESH="1000/min")
    with gunicorn_server(env, workers=3) as base_url:
        yield base_url


def test_wrong_passwords_on_three_workers_meet_one_login_limit(server):
    someone = sign_up(server, "guessed")
    guesses = [
        requests.post(f"{server}/dj-rest-auth/login/",
                      json={"username": someone["user"]["username"], "password": f"guess-{number}"}, timeout=10)
        for number in range(ATTEMPTS)
    ]
    statuses = [guess.status_code for guess in guesses]
    # The sign-up above was one of the address's auth requests of this minute.
    assert statuses == [400] * (RATE - 1) + [429] * (ATTEMPTS - RATE + 1), statuses


def test_wrong_admin_passwords_on_three_workers_meet_one_limit(server):
    statuses = []
    for number in range(ATTEMPTS):
        browser = requests.Session()
        page = browser.get(f"{server}/admin/login/", timeout=10).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        attempt = browser.post(
            f"{server}/admin/login/", timeout=10, allow_redirects=False,
            data={"csrfmiddlewaretoken": token, "username": "root", "password": f"guess-{number}"},
        )
        statuses.append(attempt.status_code)
    assert statuses == [200] * RATE + [429] * (ATTEMPTS - RATE), statuses


def test_the_21st_login_attempt_is_429_whichever_of_two_processes_with_redis_answers(live_database_url):
    """Two server processes (the Procfile's `live`, one worker each) sharing Redis, as a cluster
    runs them: login attempts alternate between them, and the default auth limit (20 a minute per
    client) is one limit: twenty 400s, then 429 from either."""
    env = {"THROTTLING": "on", "THROTTLE_RATE_ANON": "1000/min"}
    with two_live_servers(live_database_url, **env) as (one, two):
        guesses = [{"username": "nobody-in-particular", "password": f"guess-{number}"} for number in range(22)]
        statuses = [requests.post(f"{(one, two)[number % 2]}/dj-rest-auth/login/", json=guess, timeout=10).status_code
                    for number, guess in enumerate(guesses)]
    assert statuses == [400] * 20 + [429, 429], statuses
