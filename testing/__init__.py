"""Helpers for the test suite, one module a kind: `images` (real image files), `clients` (in-process
API clients and simultaneous requests), `servers` (gunicorn, nginx, Redis, as deployed), `browser`
(headless Chromium) and `cloudinary` (a stand-in for its upload and destroy APIs)."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
