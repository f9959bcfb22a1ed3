"""A stand-in for Cloudinary's upload API, on a local port: what the cloudinary SDK sends with
`upload_prefix` pointing here (STACK.md), answered as Cloudinary answers it.

It keeps what was uploaded (`stored`: public id → bytes, as Cloudinary would store them) and
destroys on request; with `failing = True` every destroy is refused with a 500.
"""
import io
import json
import threading
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from PIL import Image


def form_fields(content_type, body):
    """A multipart/form-data body's fields: name → bytes (a file's content) or str."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        fields[name] = content if part.get_filename() else content.decode()
        if part.get_filename():
            fields[f"{name}.filename"] = part.get_filename()
    return fields


class CloudinaryStandIn(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.stored = {}
        self.uploads = []  # (path, fields) of every upload
        self.destroyed = []  # public ids, in order
        self.failing = False
        self.version = 1_700_000_000

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        content_type = self.headers["Content-Type"]
        if content_type.startswith("multipart/"):
            fields = form_fields(content_type, body)
        else:
            fields = dict(parse_qsl(body.decode()))
        if self.path.endswith("/image/upload"):
            server.uploads.append((self.path, fields))
            content = fields["file"]
            stem = fields["file.filename"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
            public_id = f"{fields['folder']}/{stem}" if fields.get("folder") else stem
            server.stored[public_id] = content
            server.version += 1
            with Image.open(io.BytesIO(content)) as image:
                image_format, width, height = image.format, image.width, image.height
            self.answer(200, {
                "public_id": public_id, "version": server.version, "format": {"JPEG": "jpg"}.get(
                    image_format, image_format.lower()),
                "width": width, "height": height, "bytes": len(content), "resource_type": "image", "type": "upload",
            })
        elif self.path.endswith("/image/destroy"):
            if server.failing:
                self.answer(500, {"error": {"message": "stand-in told to fail"}})
                return
            public_id = fields["public_id"]
            server.destroyed.append(public_id)
            found = server.stored.pop(public_id, None) is not None
            self.answer(200, {"result": "ok" if found else "not found"})
        else:
            self.answer(404, {"error": {"message": f"no {self.path} here"}})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def cloudinary_stand_in():
    server = CloudinaryStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
