from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Stored images: upload rules, processing, storages (local or Cloudinary), their URLs, and the
    files waiting to be deleted."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "media"
