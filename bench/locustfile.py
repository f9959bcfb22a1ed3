"""The simulated users of bench/load.py (make load), for locust.

Each user is a signed-in person of the SPA, with its socket open the whole time: it reads its
feed, the list and posts with their comments, likes, comments, writes posts and sends messages
to three fixed partners (the three users after it; so it hears from the three before it). The
socket follows the published protocol (README "Live events", asyncapi.yml): when it closes (1012
at a restart, a dropped connection at a crash), the user reconnects through nginx, then catches up
with `GET /messages/{user_id}/?after=<last id>` from each partner.

What the driver needs to judge the run goes to LOAD_RESULTS when locust quits: the ids of every
write the API acknowledged, every failed request (5xx or no answer) with its times, and per user
the messages its socket delivered (with how often), those it caught up on, and its reconnects.
LOAD_USERS holds the users (bench/load.py makes them): id, profile id, access token.
LOAD_WAIT ("1,5") is the pause between a user's actions, in seconds (bench/load.py --curve
shortens it to find what the cluster can take).
"""
import itertools
import json
import os
import random
import time
from collections import Counter, deque
from pathlib import Path

import gevent
import websocket
from locust import FastHttpUser, between, events, task
from locust.contrib.fasthttp import FastHttpSession

PEOPLE = json.loads(Path(os.environ["LOAD_USERS"]).read_text())
POST_IDS = [post for person in PEOPLE for post in person["posts"]]
# Posts made during the run, (when, id): others find one after a moment, as they would in a list
# (a list read from the replica a moment behind), not the instant its author's answer comes back.
NEW_POSTS = deque()
FOUND_AFTER_SECONDS = 2.0
PARTNERS = 3
ACKED = {"posts": [], "comments": [], "likes": [], "messages": []}
FAILURES = []
UNEXPECTED = Counter()  # 4xx answers other than the expected duplicate like, by endpoint and status
READ_FROM = Counter()  # where the answers to reads were read (X-Read-From: primary, replica_1)
SOCKETS = []
ORDER = itertools.count()
SENDING = {"users": 0}


@events.request.add_listener
def count_failure(request_type, name, response_time, response, exception, start_time, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or (exception is not None and status < 400):
        FAILURES.append({"method": request_type, "name": name, "status": status, "started": start_time,
                         "ended": start_time + response_time / 1000, "error": repr(exception)[:200]})


@events.quitting.add_listener
def write_results(environment, **kwargs):
    Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps({
        "acked": ACKED, "failures": FAILURES, "unexpected": {f"{k[0]} {k[1]}": v for k, v in UNEXPECTED.items()},
        "sockets": SOCKETS, "read_from": dict(READ_FROM),
    }))


class Person(FastHttpUser):
    wait_time = between(*(float(bound) for bound in os.environ.get("LOAD_WAIT", "1,5").split(",")))

    def on_start(self):
        number = next(ORDER) % len(PEOPLE)
        self.me = PEOPLE[number]
        self.auth = {"Authorization": f"Bearer {self.me['access']}"}
        self.partners = [PEOPLE[(number + step) % len(PEOPLE)]["id"] for step in range(1, PARTNERS + 1)]
        self.senders = [PEOPLE[(number - step) % len(PEOPLE)]["id"] for step in range(1, PARTNERS + 1)]
        self.pushed, self.caught, self.last = Counter(), Counter(), {}
        self.connects, self.closes, self.stopping = 0, Counter(), False
        self.socket = None
        self.catch_up_client = FastHttpSession(self.host, self.environment.events.request, self)
        ws_base = self.host.replace("http://", "ws://")
        self.socket_url = f"{ws_base}/ws/?token={self.me['access']}"
        self.listener = gevent.spawn(self.listen)
        SENDING["users"] += 1

    # --- the socket ------------------------------------------------------------------------

    def listen(self):
        while not self.stopping:
            try:
                self.socket = websocket.create_connection(self.socket_url, suppress_origin=True, timeout=30)
            except Exception:
                self.closes["refused"] += 1
                gevent.sleep(random.uniform(0.2, 1.0))
                continue
            self.socket.settimeout(None)
            self.connects += 1
            self.catch_up()
            code = self.receive_until_closed()
            self.closes[code] += 1
            if not self.stopping:
                gevent.sleep(random.uniform(0.1, 0.5))

    def receive_until_closed(self):
        try:
            while True:
                opcode, data = self.socket.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return str(int.from_bytes(data[:2], "big")) if len(data) >= 2 else "1005"
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self.take(json.loads(data), self.pushed)
        except Exception:
            return "1006" if not self.stopping else "client"

    def take(self, event, into):
        message = event.get("data") or {}
        if event.get("type") == "message.created" and message.get("recipient") == self.me["id"]:
            into[message["id"]] += 1
            self.last[message["sender"]] = max(self.last.get(message["sender"], 0), message["id"])

    def catch_up(self):
        """What each partner sent while the socket was away, or before it first opened (asked once
        the socket is open, so nothing falls between the two; what both deliver is one id)."""
        for sender in self.senders:
            path = f"/messages/{sender}/?after={self.last.get(sender, 0)}&page_size=100"
            while path:
                response = self.catch_up_client.get(path, headers=self.auth, name="/messages/[id]/?after= (catch-up)")
                if response.status_code != 200:
                    break
                page = response.json()
                for message in page["results"]:
                    self.take({"type": "message.created", "data": message}, self.caught)
                path = page["next"] and page["next"].removeprefix(self.host)

    def on_stop(self):
        # Every user's last send is answered before anyone's socket closes, and then some time
        # for its push to arrive.
        SENDING["users"] -= 1
        deadline = time.monotonic() + 25
        while SENDING["users"] > 0 and time.monotonic() < deadline:
            gevent.sleep(0.2)
        gevent.sleep(3)
        self.stopping = True
        if self.socket is not None:
            self.socket.close()
        self.listener.kill()
        SOCKETS.append({
            "user": self.me["id"], "connects": self.connects, "closes": dict(self.closes),
            "pushed": {str(key): value for key, value in self.pushed.items()},
            "caught_up": sorted(self.caught),
        })

    # --- what the person does --------------------------------------------------------------

    def get(self, path, name):
        with self.client.get(path, headers=self.auth, name=name, catch_response=True) as response:
            self.judge(response, name, expected=(200,))
            READ_FROM[response.headers.get("X-Read-From", "none")] += 1
            return response

    def judge(self, response, name, expected, tolerated=()):
        if response.status_code in expected or response.status_code in tolerated:
            response.success()
        elif 400 <= response.status_code < 500:
            UNEXPECTED[(name, response.status_code)] += 1
            response.failure(f"{response.status_code}: {response.text[:200]}")

    def write(self, kind, path, body, name, tolerated=()):
        with self.client.post(path, json=body, headers=self.auth, name=name, catch_response=True) as response:
            self.judge(response, name, expected=(201,), tolerated=tolerated)
            if response.status_code == 201:
                ACKED[kind].append(response.json()["id"])
                if kind == "posts":
                    NEW_POSTS.append((time.monotonic(), response.json()["id"]))

    @staticmethod
    def some_post():
        while NEW_POSTS and NEW_POSTS[0][0] < time.monotonic() - FOUND_AFTER_SECONDS:
            POST_IDS.append(NEW_POSTS.popleft()[1])
        return random.choice(POST_IDS)

    @task(5)
    def feed(self):
        self.get(f"/posts/?followed={self.me['profile']}", "/posts/?followed= (feed)")

    @task(3)
    def posts(self):
        self.get("/posts/", "/posts/")

    @task(4)
    def post_detail(self):
        post = self.some_post()
        self.get(f"/posts/{post}/", "/posts/[id]/")
        self.get(f"/comments/?post={post}", "/comments/?post=")

    @task(2)
    def like(self):
        # A second like of the same post is the contract's 400 "possible duplicate".
        self.write("likes", "/likes/", {"post": self.some_post()}, "/likes/", tolerated=(400,))

    @task(2)
    def comment(self):
        self.write("comments", "/comments/", {"post": self.some_post(), "content": "Under load"}, "/comments/")

    @task(3)
    def send_message(self):
        partner = random.choice(self.partners)
        self.write("messages", f"/messages/{partner}/send/", {"content": "Load ping"}, "/messages/[id]/send/")

    @task(1)
    def new_post(self):
        self.write("posts", "/posts/", {"title": "Posted under load"}, "/posts/")

    @task(1)
    def notifications(self):
        self.get("/notifications/", "/notifications/")
