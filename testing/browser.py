"""Debian's headless Chromium: a page's DOM once its scripts ran, or tabs driven over DevTools."""
import json
import shutil
import subprocess
import time
from contextlib import contextmanager

import requests
from websockets.sync.client import connect

from testing.servers import answers, background_process, free_port

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--virtual-time-budget=20000",
]


def chromium(tmp_path, *args):
    """Run Debian's headless Chromium with a fresh profile in `tmp_path`; its standard output."""
    browser = shutil.which("chromium")
    assert browser, "the browser test needs Debian's chromium (make test installs it as root)"
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class BrowserPage:
    """One tab of headless Chromium, driven over the DevTools protocol."""

    def __init__(self, devtools, session_id):
        self.devtools, self.session_id = devtools, session_id

    def evaluate(self, expression):
        params = {"expression": expression, "returnByValue": True}
        reply = self.devtools.call("Runtime.evaluate", params, self.session_id)
        return reply["result"].get("value")

    def wait_for(self, expression, timeout=30):
        """The expression's value once it is truthy (polled in real time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"{expression} stayed falsy for {timeout} s")


class DevTools:
    """Headless Chromium with its DevTools protocol; pages in separate browser contexts (cookie jars)."""

    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0

    def call(self, method, params=None, session_id=None):
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params or {}}
        if session_id:
            request["sessionId"] = session_id
        self.socket.send(json.dumps(request))
        while True:
            reply = json.loads(self.socket.recv(timeout=30))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def new_page(self, url):
        """A tab in a fresh browser context: it shares no cookies with any other page."""
        context = self.call("Target.createBrowserContext")["browserContextId"]
        target = self.call("Target.createTarget", {"url": url, "browserContextId": context})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return BrowserPage(self, session)


@contextmanager
def headless_chromium(tmp_path):
    """Debian's Chromium, headless, with the DevTools protocol on a free port; yield a DevTools."""
    browser = shutil.which("chromium")
    assert browser, "the browser tests need Debian's chromium (make test installs it as root)"
    port = free_port()
    devtools = f"http://127.0.0.1:{port}/json/version"
    with background_process(
        "Chromium",
        [browser, *(flag for flag in CHROMIUM_FLAGS if not flag.startswith("--virtual-time")),
         f"--user-data-dir={tmp_path / 'devtools-profile'}", f"--remote-debugging-port={port}", "about:blank"],
        lambda: answers(lambda: requests.get(devtools, timeout=2).ok),
    ):
        version = requests.get(devtools, timeout=2).json()
        with connect(version["webSocketDebuggerUrl"], max_size=None) as websocket:
            yield DevTools(websocket)
