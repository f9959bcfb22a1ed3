"""Media on Cloudinary: django-cloudinary-storage's storage, with the CDN's versioned URLs and
deletions that say when they fail.

Only settings.STORAGES names this module, and only when CLOUDINARY_URL is set: importing
cloudinary_storage without credentials raises ImproperlyConfigured.

A stored name is `v<version>/<public id>.<format>`, from the upload's answer, so an image's URL
is the CDN's own: `https://res.cloudinary.com/<cloud>/image/upload/v<version>/<public id>.<format>`
(a name stored before, a bare public id, still gets the storage's unversioned URL). Any size is
then one URL away: a transformation after `/upload/`, e.g. `w_400,h_400,c_fill,f_auto,q_auto/`
(README: "Images").
"""
import re

import cloudinary
import cloudinary.uploader
from cloudinary_storage.storage import MediaCloudinaryStorage
from django.core.files.uploadedfile import UploadedFile

VERSIONED_NAME = re.compile(r"v(?P<version>\d+)/(?P<public_id>.+)\.(?P<format>\w+)")


class CloudinaryMediaStorage(MediaCloudinaryStorage):
    def _save(self, name, content):
        name = self._prepend_prefix(self._normalise_name(name))
        uploaded = self._upload(name, UploadedFile(content, name))
        return f"v{uploaded['version']}/{uploaded['public_id']}.{uploaded['format']}"

    def url(self, name):
        stored = VERSIONED_NAME.fullmatch(name)
        if stored is None:
            return super().url(name)
        return cloudinary.CloudinaryImage(
            stored["public_id"], version=stored["version"], format=stored["format"]
        ).build_url(secure=True)

    def delete(self, name):
        """Destroy the image (and its CDN copies); an image already gone counts as deleted.

        The parent returns False on any refusal, which would lose the file; this raises, and
        the caller keeps the deletion for later (media/stored.py)."""
        stored = VERSIONED_NAME.fullmatch(name)
        public_id = stored["public_id"] if stored else name
        result = cloudinary.uploader.destroy(public_id, invalidate=True, resource_type=self.RESOURCE_TYPE)
        if result.get("result") not in ("ok", "not found"):
            raise RuntimeError(f"Cloudinary did not destroy {public_id}: {result}")
        return True
