"""The benchmark's settings: the production settings with the benchmark's own URLconf.

Only `make bench` and `make bench-smoke` use them; the baseline views exist nowhere else.
"""
from drf_api.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
