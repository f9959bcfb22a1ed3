"""Stored images: cleaned and sized on the way in, deleted from storage once nothing shows them.

On the way in (`StoredImageField.pre_save`, whatever saves the model: the API, the admin, the
demo data), every new image is decoded and encoded again (`process_image`):

- the EXIF orientation is applied to the pixels, then every piece of metadata is left behind
  (EXIF with its GPS position, XMP, IPTC, comments, PNG text chunks); the colour profile stays;
- an image longer than its field's longest side (a setting: 2048 px for posts and messages,
  512 px for profile images) is scaled down with Lanczos; a JPEG is decoded at the smallest
  scale that is still large enough (Pillow's draft mode), so a 12-megapixel photo is not fully
  decoded just to be shrunk; JPEG and WebP are encoded at quality 85;
- PNG, WebP and GIF transparency, and animated GIFs and WebPs (every frame, its duration and
  the loop count), survive;
- the width and height of what is stored go to the model's `image_width` / `image_height`.

On the way out: when a stored image is replaced, removed, or its row is deleted (a cascade
included), the file is deleted from storage after the transaction commits. The deletion is
recorded in the same transaction (`PendingFileDeletion`), so a rollback deletes nothing and a
crash or a failed deletion leaves a record that `python manage.py purge_media` retries. A
failure is logged; the request that caused it has already been answered.
"""
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import ImageFileDescriptor
from django.db.models.signals import post_delete, post_save
from PIL import Image, ImageOps, ImageSequence

from drf_api import background

logger = logging.getLogger(__name__)

QUALITY = 85
EXIF_ORIENTATION = 0x0112
# What a cleaned image keeps of its original's `info`: how it is drawn, never who or where.
KEPT_INFO = {"transparency"}


class ProcessedImage(ContentFile):
    """An image as it is stored: cleaned, sized, and with its dimensions."""

    def __init__(self, content, name, width, height):
        super().__init__(content, name=name)
        self.width, self.height = width, height


def target_size(size, max_side):
    """`size` scaled down so that its longest side is `max_side` (unchanged when it fits)."""
    width, height = size
    scale = max_side / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def process_image(file, max_side):
    """`file` (an image Pillow can read) cleaned of metadata, upright, and at most `max_side` px
    long, in its own format: a ProcessedImage."""
    file.seek(0)
    with Image.open(file) as original:
        return clean_image(original, max_side, getattr(file, "name", None) or "image")


def clean_image(original, max_side, name):
    """process_image() of an image already open (and not yet decoded): a ProcessedImage."""
    if getattr(original, "is_animated", False):
        content, size = _animation(original, original.format, max_side)
    else:
        content, size = _still(original, original.format, max_side)
    return ProcessedImage(content, name, *size)


def _still(original, image_format, max_side):
    icc_profile = original.info.get("icc_profile")
    exif = original.getexif()
    turned = exif.get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)  # shown turned a quarter: sides swap
    width, height = original.size
    upright = target_size((height, width) if turned else (width, height), max_side)
    stored = upright[::-1] if turned else upright  # the target in the file's own orientation
    if image_format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that is still at least the target size.
        original.draft(None, stored)
    image = original
    if image.mode == "P":
        # Resampling a palette picks nearest pixels: go to full colour first (PNG/GIF keep alpha).
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.size != stored:
        image = image.resize(stored, Image.Resampling.LANCZOS)
    # Turned upright after shrinking: the quarter turn copies a small image, not the original.
    image.info["exif"] = exif.tobytes()
    image = ImageOps.exif_transpose(image)
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format in ("JPEG", "WEBP"):
        options["quality"] = QUALITY
    if image_format == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue(), image.size


def _animation(original, image_format, max_side):
    size = target_size(original.size, max_side)
    frames, durations = [], []
    for frame in ImageSequence.Iterator(original):
        durations.append(frame.info.get("duration", 100))
        frame = frame.convert("RGBA")
        if frame.size != size:
            frame = frame.resize(size, Image.Resampling.LANCZOS)
        frame.info = {}  # a frame carries its file's comment and XMP: the writer would keep them
        frames.append(frame)
    options = {"save_all": True, "append_images": frames[1:], "duration": durations,
               "loop": original.info.get("loop", 0)}
    if image_format == "GIF":
        options["disposal"] = 2
    else:
        options["quality"] = QUALITY
    buffer = io.BytesIO()
    frames[0].save(buffer, format=image_format, **options)
    return buffer.getvalue(), size


class StoredImageDescriptor(ImageFileDescriptor):
    """Remembers the name the instance was created with (from the database, when it was read):
    what is in storage until a save says otherwise. No post_init signal: a conversation list
    builds hundreds of these models per request."""

    def __set__(self, instance, value):
        instance.__dict__.setdefault(self.field.stored_name_key, value if isinstance(value, str) else "")
        super().__set__(instance, value)


class StoredImageField(models.ImageField):
    """An ImageField whose new files are processed (process_image) before they are stored, whose
    dimensions go to `<name>_width` / `<name>_height`, and whose replaced or deleted files are
    deleted from storage after commit.

    `max_side_setting` names the setting that holds the longest side, in pixels.
    """

    descriptor_class = StoredImageDescriptor

    def __init__(self, *args, max_side_setting=None, **kwargs):
        self.max_side_setting = max_side_setting
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_side_setting"] = self.max_side_setting
        return name, path, args, kwargs

    @property
    def dimension_attnames(self):
        return f"{self.name}_width", f"{self.name}_height"

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        # What is in storage: the name read from the database, or the one last saved.
        self.stored_name_key = f"_stored_{self.attname}"
        if not cls._meta.abstract:
            uid = f"media.stored.{cls._meta.label}.{name}"
            post_save.connect(self.delete_replaced_file, sender=cls, dispatch_uid=f"{uid}.save", weak=False)
            post_delete.connect(self.delete_deleted_file, sender=cls, dispatch_uid=f"{uid}.delete", weak=False)

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        width_attname, height_attname = self.dimension_attnames
        if file and not file._committed:
            if not isinstance(file.file, ProcessedImage):
                file.file = process_image(file.file, getattr(settings, self.max_side_setting))
            setattr(model_instance, width_attname, file.file.width)
            setattr(model_instance, height_attname, file.file.height)
        elif not file:
            setattr(model_instance, width_attname, None)
            setattr(model_instance, height_attname, None)
        return super().pre_save(model_instance, add)

    def delete_replaced_file(self, instance, raw=False, **kwargs):
        if raw or self.attname not in instance.__dict__:
            return
        stored, current = instance.__dict__.get(self.stored_name_key, ""), getattr(instance, self.attname).name or ""
        if stored and stored != current:
            delete_after_commit(stored)
        instance.__dict__[self.stored_name_key] = current

    def delete_deleted_file(self, instance, **kwargs):
        if self.attname in instance.__dict__:  # a row deleted with this column deferred keeps it
            name = getattr(instance, self.attname).name
            if name:
                delete_after_commit(name)


def stored_image_fields(upload_to, max_side_setting):
    """A model's optional stored image and its size: `image, image_width, image_height =
    stored_image_fields(...)` in the model's body. The image is processed and scaled down to
    `settings.<max_side_setting>` when stored (StoredImageField); its size is null without one."""
    return (
        StoredImageField(upload_to=upload_to, blank=True, max_side_setting=max_side_setting),
        models.PositiveIntegerField(
            null=True, blank=True, editable=False, help_text="The stored image's width in pixels; null without one."
        ),
        models.PositiveIntegerField(
            null=True, blank=True, editable=False, help_text="The stored image's height in pixels; null without one."
        ),
    )


def delete_after_commit(name):
    """Delete the stored file `name` once the current transaction commits (now, outside one)."""
    from media.models import PendingFileDeletion

    pending = PendingFileDeletion.objects.create(name=name)
    transaction.on_commit(lambda: purge(pending), robust=True)


def delete_many_after_commit(names):
    """Delete every stored file of `names` once the current transaction commits, from a worker
    thread (drf_api.background): an account's thousands of images must not hold up its answer.
    Recorded in the same transaction like delete_after_commit(), so purge_media retries what the
    worker could not delete (or what a crash left)."""
    from media.models import PendingFileDeletion

    pending = PendingFileDeletion.objects.bulk_create(
        [PendingFileDeletion(name=name) for name in names if name], batch_size=500
    )
    if pending:
        transaction.on_commit(lambda: background.submit(purge_many, pending), robust=True)
    return len(pending)


def purge_many(pending):
    for one in pending:
        purge(one)


def purge(pending):
    """Try to delete one pending file; forget it when it is gone, record the failure otherwise."""
    try:
        default_storage.delete(pending.name)
    except Exception as error:  # any failure of the storage: kept for purge_media
        logger.warning("Could not delete the stored file %s (%s); purge_media will retry", pending.name, error)
        pending.record_failure(error)
        return False
    pending.delete()
    return True
