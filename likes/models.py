from django.conf import settings
from django.db import models

from safety.visibility import Visibility


class Like(models.Model):
    """`owner` likes `post`, at most once (enforced by the database)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    # Shows its owner and its post's owner, and goes with its post (safety/visibility.py).
    visibility = Visibility(people=("owner", "post__owner"), content=("post",))

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "post"], name="like_unique_owner_post")]
        indexes = [
            models.Index(fields=["post", "-created_at"], name="like_post_newest_idx"),
            # The list's own order: a page is an index walk, not a sort of every like.
            models.Index(fields=["-created_at", "-id"], name="like_newest_idx"),
        ]

    def __str__(self):
        return f"{self.owner} likes {self.post_id}"
