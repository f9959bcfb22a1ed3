"""Helpers for the test suite: real image files, a real gunicorn server, a signed-up user."""
import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from PIL import Image

from drf_api.images import ALLOWED_FORMATS

BASE_DIR = Path(__file__).resolve().parent.parent
SERVER_SECRET_KEY = "server-test-secret-key-" + "Zq8#vN3pW6xK1mB7tY4cR9dL2fG5hJ0s"


def image_bytes(fmt="PNG", size=(8, 8), noise=False):
    """A real image file's bytes; `noise` makes it large and hard to compress."""
    image = Image.effect_noise(size, 64).convert("RGB") if noise else Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name="picture.png", fmt="PNG", size=(8, 8)):
    content_type = ALLOWED_FORMATS.get(fmt, ("", "application/octet-stream"))[1]
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)


def at_once(calls):
    """Run the callables at the same instant, one thread each; their results, in order.

    A barrier releases every thread together. Each thread closes the Django database
    connections it opened, so in-process requests (test clients) leave none behind.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, **overrides):
    """The environment of a production-like process: DEBUG off, real settings module."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CLOUDINARY_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="drf_api.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SERVER_SECRET_KEY,
        SECURE_SSL_REDIRECT="off",
        THROTTLING="off",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update(overrides)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@contextmanager
def gunicorn_server(env, workers=2, threads=1):
    """Serve drf_api.wsgi with gunicorn on a free local port; yield its base URL.

    `workers` times `threads` requests are served at the same instant.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "drf_api.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--no-control-socket", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{process.stdout.read()}")
            try:
                requests.get(f"{base_url}/health/", timeout=10)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 30 s") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def sign_up(base_url, prefix="srv"):
    """Register a fresh user on a live server; the registration body (tokens and user)."""
    username = f"{prefix}_{uuid.uuid4().hex[:10]}"
    password = "Server-side-pass-42"
    response = requests.post(
        f"{base_url}/dj-rest-auth/registration/",
        json={"username": username, "password1": password, "password2": password},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "password": password}


def bearer(session):
    return {"Authorization": f"Bearer {session['access_token']}"}
