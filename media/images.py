"""Image uploads as the contract's "Images" section sets them, and image URLs as it renders them.

One serializer field does every check, so profiles, posts and messages reject a bad file with
the same clear error: too large, not an image, an unsupported format, too many pixels (which
also stops decompression bombs before any pixel is decoded), or a file that does not decode.
"""
import uuid
import warnings

from django.conf import settings
from django.db.models.fields.files import ImageFieldFile
from django.templatetags.static import static
from PIL import Image
from rest_framework import serializers

from drf_api.checks import is_full_url
from drf_api.reads import Column
from media.stored import clean_image

# Pillow's format name: (file extension, MIME type).
ALLOWED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
FORMAT_NAMES = "JPEG, PNG, GIF or WebP"
MAX_SIDE = 4096
MB = 1024 * 1024


class ImageUploadField(serializers.ImageField):
    """A multipart image, checked by size, format, pixel count and a full decode.

    The stored file is renamed to a random name with the extension of its real format.
    """

    default_error_messages = {
        "too_large": "The image is too large: at most {max_mb} MB is allowed.",
        "not_an_image": f"Upload a valid image: this file is not a {FORMAT_NAMES} image.",
        "bad_format": f"Unsupported image format {{format}}: use {FORMAT_NAMES}.",
        "too_many_pixels": "The image is too large: at most {side}×{side} pixels are allowed.",
        "corrupt": "The image file is truncated or corrupted and cannot be read.",
    }

    def __init__(self, *, max_bytes, default_image_setting=None, **kwargs):
        self.max_bytes = max_bytes
        self.default_image_setting = default_image_setting
        kwargs.setdefault("help_text", self.rules_text())
        super().__init__(**kwargs)

    def rules_text(self):
        """The rules this field enforces, in words, for the schema: built from its own limits."""
        return (f"{FORMAT_NAMES}, at most {self.max_bytes / MB:g} MB and {MAX_SIDE} px a side; null removes it. "
                "Stored without metadata, turned upright and scaled down to fit (`image_width`, `image_height`).")

    def validate_empty_values(self, data):
        is_empty, value = super().validate_empty_values(data)
        if is_empty and data is None:
            # null removes the image: "no file" is stored as an empty name.
            return True, ""
        return is_empty, value

    def to_representation(self, value):
        """An absolute URL; the default image's when none was uploaded (or null, without one)."""
        return image_url(self.context.get("request"), value, self.default_image_setting)

    def to_internal_value(self, data):
        # FileField's checks (a file was sent, with a name, not empty), not Django's ImageField:
        # that one answers every problem with the same vague message.
        file = serializers.FileField.to_internal_value(self, data)
        if file.size > self.max_bytes:
            self.fail("too_large", max_mb=f"{self.max_bytes / MB:g}")
        return self._check_and_clean(file)

    def stored_max_side(self):
        """The longest side the model's field stores this image at (media.stored.StoredImageField)."""
        model_field = self.parent.Meta.model._meta.get_field(self.source)
        return getattr(settings, model_field.max_side_setting)

    def _check_and_clean(self, file):
        """The image as it will be stored (media.stored.clean_image), renamed to a random name
        with its real format's extension. Decoding it for the clean copy is also the check that
        it decodes at all: one decode, not a check and then a second one in the model's save."""
        file.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(file) as image:
                    image_format = image.format
                    width, height = image.size
                    if image_format not in ALLOWED_FORMATS:
                        self.fail("bad_format", format=image_format)
                    if width > MAX_SIDE or height > MAX_SIDE:
                        self.fail("too_many_pixels", side=MAX_SIDE)
                    extension, content_type = ALLOWED_FORMATS[image_format]
                    try:
                        stored = clean_image(image, self.stored_max_side(), f"{uuid.uuid4().hex}.{extension}")
                    except (OSError, SyntaxError, ValueError, EOFError):
                        self.fail("corrupt")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            self.fail("too_many_pixels", side=MAX_SIDE)
        except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError):
            self.fail("not_an_image")
        finally:
            file.seek(0)
        stored.content_type = content_type
        return stored


def optional_image(max_mb, default_image_setting=None):
    """An input's image: optional, null to remove it, at most `max_mb` megabytes."""
    return ImageUploadField(
        max_bytes=max_mb * MB, default_image_setting=default_image_setting, required=False, allow_null=True
    )


def absolute_media_url(request, field_file, default):
    """The absolute URL of an uploaded image, or of `default` when none was uploaded.

    `default` is a static file path (served by whitenoise) or a full URL from the environment.
    Each URL is made once per request: a page of 10 posts shows up to 20 images, most of them the
    same two defaults (make bench).
    """
    if not field_file and is_full_url(default):
        return default
    key = (id(field_file.storage), field_file.name) if field_file else (None, default)
    urls = request.__dict__.setdefault("_absolute_media_urls", {}) if request is not None else {}
    if key not in urls:
        url = field_file.url if field_file else static(default)
        urls[key] = request.build_absolute_uri(url) if request is not None else url
    return urls[key]


def image_url(request, field_file, default_image_setting=None):
    """The absolute URL of a stored image or, without one, of the default image
    (`settings.<default_image_setting>`), or null when there is no default."""
    if not field_file and default_image_setting is None:
        return None
    default = getattr(settings, default_image_setting) if default_image_setting else ""
    return absolute_media_url(request, field_file, default)


def stored_image_url(model_field, default_image_setting=None):
    """A read path's `show` for a stored image's file name (drf_api.reads.Column): image_url()."""

    def show(name, request):
        return image_url(request, ImageFieldFile(None, model_field, name) if name else None, default_image_setting)

    return show


def image_columns(table, model, default_image_setting=None, description="The image"):
    """A stored image's three columns for a read path (drf_api.reads): its URL (the default
    image's, or null, without one) and its size in pixels, read from `model`'s `table`."""
    nullable = default_image_setting is None
    return [
        Column(
            "image", f"{table}.image",
            serializers.URLField(read_only=True, allow_null=nullable, help_text=f"{description}'s absolute URL"
                                 + ("; null without one." if nullable else ", or the default image's.")),
            show=stored_image_url(model._meta.get_field("image"), default_image_setting),
        ),
        Column("image_width", f"{table}.image_width", serializers.IntegerField(
            read_only=True, allow_null=True, help_text="The stored image's width in pixels; null without one.")),
        Column("image_height", f"{table}.image_height", serializers.IntegerField(
            read_only=True, allow_null=True, help_text="The stored image's height in pixels; null without one.")),
    ]


def profile_image_url(request, profile):
    """The absolute URL of a profile's image, or of the default profile image."""
    return image_url(request, profile.image if profile else None, "DEFAULT_PROFILE_IMAGE")
