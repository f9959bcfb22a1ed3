from comments.models import Comment


def comment_queryset():
    """Comments, newest first, with their author's profile in the same query."""
    return Comment.objects.select_related("owner__profile").order_by("-created_at", "-id")
