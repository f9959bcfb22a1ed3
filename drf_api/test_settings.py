"""The test suite's settings: the real settings module, given the environment a test run needs.

Nothing is overridden in code: the suite runs the same settings as production, with throttling
off (one test turns it back on), HTTP allowed and a throwaway secret key.
"""
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "k7#pQ2vX9zL4mR8wT1yB6nC3dF5gH0jS")
os.environ.setdefault("THROTTLING", "off")
os.environ.setdefault("SECURE_SSL_REDIRECT", "off")

from drf_api.settings import *
