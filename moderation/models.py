"""Reports of abuse and what moderators did about them (the queue is moderation/admin.py)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Report(models.Model):
    """A user reports a post, comment, message (one they received) or profile.

    The target is a real foreign key of its kind (one of `post`, `comment`, `message`, `profile`,
    named by `target_type`; `target_id` repeats its id), so the queue reads the content in the
    same query and a deleted target takes its reports with it. `author` is who wrote the target
    (the user a moderator may deactivate). One open report per reporter and target.
    """

    class Target(models.TextChoices):
        POST = "post", "post"
        COMMENT = "comment", "comment"
        MESSAGE = "message", "message"
        PROFILE = "profile", "profile"

    class Reason(models.TextChoices):
        SPAM = "spam", "spam"
        HARASSMENT = "harassment", "harassment"
        HATE = "hate", "hate"
        VIOLENCE = "violence", "violence"
        NUDITY = "nudity", "nudity"
        ILLEGAL = "illegal", "illegal"
        OTHER = "other", "other"

    class Status(models.TextChoices):
        OPEN = "open", "open"
        ACTIONED = "actioned", "actioned"
        DISMISSED = "dismissed", "dismissed"

    class Action(models.TextChoices):
        HIDE = "hide", "content hidden"
        DEACTIVATE = "deactivate", "author deactivated"
        DISMISS = "dismiss", "dismissed"
        RESTORE = "restore", "restored"

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    target_type = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.BigIntegerField()
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    profile = models.ForeignKey("profiles.Profile", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_against")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"], condition=Q(status="open"),
                name="report_one_open_per_reporter_target",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target_type="post", post=F("target_id"), comment=None, message=None, profile=None)
                    | Q(target_type="comment", comment=F("target_id"), post=None, message=None, profile=None)
                    | Q(target_type="message", message=F("target_id"), post=None, comment=None, profile=None)
                    | Q(target_type="profile", profile=F("target_id"), post=None, comment=None, message=None)
                ),
                name="report_target_matches_type",
            ),
            models.CheckConstraint(condition=~Q(reporter=F("author")), name="report_not_own_content"),
        ]
        indexes = [
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_reporter_newest_idx"),
            models.Index(fields=["target_type", "target_id"], condition=Q(status="open"),
                         name="report_open_target_idx"),
            models.Index(fields=["status", "-created_at"], name="report_queue_idx"),
        ]

    def __str__(self):
        return f"Report {self.id}: {self.target_type} {self.target_id} ({self.reason})"

    @property
    def target(self):
        return getattr(self, self.target_type)
