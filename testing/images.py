"""Real image files for tests: bytes and uploads of any format and size (rectangular by choice)."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.images import ALLOWED_FORMATS


def image_bytes(fmt="PNG", size=(8, 8), noise=False):
    """A real image file's bytes; `noise` makes it large and hard to compress."""
    image = Image.effect_noise(size, 64).convert("RGB") if noise else Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name="picture.png", fmt="PNG", size=(8, 8)):
    content_type = ALLOWED_FORMATS.get(fmt, ("", "application/octet-stream"))[1]
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)
