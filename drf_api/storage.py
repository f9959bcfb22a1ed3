"""File storages whose URLs carry the path prefix the API is served under (SCRIPT_NAME).

Django puts the script prefix in front of `reverse()`d URLs on every request, but static and
media URLs are built once from STATIC_URL and MEDIA_URL. These storages add the current
request's prefix (drf_api.middleware.ForwardedPrefixMiddleware, or SCRIPT_NAME from the server)
to the root-relative URLs they make; absolute URLs (a CDN's) are left alone.
"""
from django.core.files.storage import FileSystemStorage
from django.urls import get_script_prefix
from whitenoise.storage import CompressedManifestStaticFilesStorage


def with_script_prefix(url):
    if url.startswith("/") and not url.startswith("//"):
        return get_script_prefix().rstrip("/") + url
    return url


class PrefixedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return with_script_prefix(super().url(name, force))


class PrefixedFileSystemStorage(FileSystemStorage):
    def url(self, name):
        return with_script_prefix(super().url(name))
