"""gunicorn's settings for the Procfile's `web` process (`-c python:drf_api.gunicorn_web`).

Synchronous workers, two per core plus one (gunicorn's own rule) unless WEB_CONCURRENCY says
otherwise (Heroku sets it from the dyno's size). make bench compared them with the threaded
workers on 2 cores: the same throughput, and a p99 latency 1.3 times the median instead of 2.7 to 5.5 times.
A threaded worker keeps each keep-alive connection it accepts, so one worker can hold more of
the busy connections than the other and their requests queue behind each other; a synchronous
worker takes one request at a time from the shared socket, whichever worker is free. It needs
a buffering proxy in front for slow clients (Heroku's router, or nginx: deploy/nginx-site.conf).
"""
import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)
# gunicorn itself would believe X-Forwarded-Proto from 127.0.0.1 and mark the request HTTPS;
# whose word counts is decided by the app alone (NUM_PROXIES, drf_api/proxies.py).
forwarded_allow_ips = ""
