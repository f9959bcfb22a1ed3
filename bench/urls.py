"""The public URLconf plus the baseline views under /bench/ (the benchmark's ceiling)."""
from django.urls import path

from bench import baseline
from drf_api.urls import handler400, handler403, handler404, handler500  # noqa: F401
from drf_api.urls import urlpatterns as public_urlpatterns

urlpatterns = [
    path("bench/baseline/posts/", baseline.posts, name="baseline-posts"),
    *public_urlpatterns,
]
