from django.conf import settings
from django.db import models

from drf_api.models import UpdateNeverInserts
from safety.models import hidden_at_field
from safety.visibility import Visibility


class Comment(UpdateNeverInserts):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="comments")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    content = models.TextField(max_length=5_000)
    hidden_at = hidden_at_field()

    # Shows its owner (a mute hides it from lists) and its post's owner; can be hidden, and goes
    # with its post (safety/visibility.py).
    visibility = Visibility(people=("owner", "post__owner"), muted=("owner",), content=("", "post"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["post", "-created_at"], name="comment_post_newest_idx"),
            models.Index(fields=["-created_at", "-id"], name="comment_newest_idx"),
        ]

    def __str__(self):
        return self.content[:50]
