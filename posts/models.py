from django.conf import settings
from django.db import models, transaction

from drf_api.models import RowDeleted, UpdateNeverInserts
from media.stored import stored_image_fields
from safety.models import hidden_at_field
from safety.visibility import Visibility


class PostQuerySet(models.QuerySet):
    def delete(self):
        """Posts deleted in bulk (admin's "delete selected", any queryset) lock their rows first,
        as one post's delete does (Post.delete)."""
        with transaction.atomic(using=self.db):
            list(self.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
            return super().delete()


class Post(UpdateNeverInserts):
    """A post with an optional image shown through an Instagram-style filter."""

    class ImageFilter(models.TextChoices):
        _1977 = "_1977", "1977"
        BRANNAN = "brannan", "Brannan"
        EARLYBIRD = "earlybird", "Earlybird"
        HUDSON = "hudson", "Hudson"
        INKWELL = "inkwell", "Inkwell"
        LOFI = "lofi", "Lo-Fi"
        KELVIN = "kelvin", "Kelvin"
        NORMAL = "normal", "Normal"
        NASHVILLE = "nashville", "Nashville"
        RISE = "rise", "Rise"
        TOASTER = "toaster", "Toaster"
        VALENCIA = "valencia", "Valencia"
        WALDEN = "walden", "Walden"
        XPRO2 = "xpro2", "X-pro II"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    title = models.CharField(max_length=255)
    content = models.TextField(blank=True, max_length=10_000)
    image, image_width, image_height = stored_image_fields("images/posts/", "POST_IMAGE_MAX_SIDE")
    image_filter = models.CharField(max_length=32, choices=ImageFilter.choices, default=ImageFilter.NORMAL)
    hidden_at = hidden_at_field()

    # Shows its owner (a mute hides it from lists) and can be hidden (safety/visibility.py).
    # The posts per owner that are not hidden are kept counted (rows_counted_by).
    visibility = Visibility(people=("owner",), muted=("owner",), content=("",), kept=(("owner", "posts_shown_count"),))

    # PostgreSQL keeps the table's row count (posts/migrations/0003, drf_api/counting.py): the
    # whole list's `count` is read, not counted.
    rows_counted = True
    # And, per owner, how many of their posts are not hidden (posts/migrations/0007): a whole list's
    # count less the posts of the users a viewer must not see is one probe per such user, not a
    # count of their posts (safety/visibility.py, make bench).
    rows_counted_by = [("owner_id", "hidden_at IS NULL", "posts_shown_count")]

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Lists show posts not hidden (safety/visibility.py), newest first: their pages, deep ones
            # included, and their counts are walks of these indexes alone, owner at hand for the
            # check against the users the caller must not see (make bench).
            models.Index(fields=["-created_at", "-id"], include=["owner"], condition=models.Q(hidden_at__isnull=True),
                         name="post_newest_shown_idx"),
            # The id too: a feed's newest page is found in this index alone (make bench).
            models.Index(fields=["owner", "-created_at", "-id"], condition=models.Q(hidden_at__isnull=True),
                         name="post_owner_newest_shown_idx"),
            # The few hidden posts, found at once (a list's count subtracts them: drf_api.reads).
            models.Index(fields=["id"], condition=models.Q(hidden_at__isnull=False), name="post_hidden_idx"),
        ]
        # Also, on PostgreSQL only (posts/migrations/0003): trigram indexes for `?search=` on
        # UPPER(title) and on users' UPPER(username), and an exact row count (drf_api/counting.py).

    objects = PostQuerySet.as_manager()

    def __str__(self):
        return f"{self.id} {self.title}"

    def delete(self, *args, **kwargs):
        """Lock the post's row before its likes and comments go with it, whoever deletes it (the
        API, admin, a script).

        A like or comment being written at this instant then waits for the delete and fails
        cleanly on the foreign key (a 400 saying the post is gone), instead of landing between
        the cascade and the post's own delete and failing the delete. A post already deleted
        raises RowDeleted (404).
        """
        with transaction.atomic(using=kwargs.get("using")):
            if not type(self)._base_manager.select_for_update().filter(pk=self.pk).exists():
                raise RowDeleted(f"Post {self.pk} was deleted.")
            return super().delete(*args, **kwargs)

