import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from drf_api.models import UpdateNeverInserts


class User(UpdateNeverInserts, AbstractUser):
    """The account. Its public face, the profile, lives in the profiles app."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Alice" and "alice" are one user, even when both sign up at the same instant.
            models.UniqueConstraint(Lower("username"), name="users_user_username_ci_unique"),
        ]
        indexes = [
            # A password reset finds the accounts of an address (allauth also looks in its table).
            models.Index(fields=["email"], name="user_email_idx"),
            # The few deactivated users, whom every read leaves out (safety/visibility.py).
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_inactive_idx"),
        ]


class SessionFamily(models.Model):
    """One sign-in and every refresh token rotated from it (users/sessions.py has the rules).

    Each token carries its family's id; the family knows the id (jti) of its one live refresh
    token and of the one it replaced (for the browser's grace window), and whether it was
    revoked. It keeps no token: a copy of this table cannot sign anybody in. A refresh is one
    locked read of this row by its primary key, and one update.
    """

    class Revoked(models.TextChoices):
        LOGOUT = "logout", "signed out"
        PASSWORD_CHANGE = "password_change", "password changed"
        REUSE = "reuse", "a rotated-out token was used again"
        ADMIN = "admin", "revoked by an admin"
        ACCOUNT_DELETED = "account_deleted", "the account was deleted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="session_families")
    created_at = models.DateTimeField(auto_now_add=True)
    current_jti = models.CharField(max_length=64)
    current_expires_at = models.DateTimeField()
    previous_jti = models.CharField(max_length=64, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=32, choices=Revoked.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="session_family_user_idx")]

    def __str__(self):
        return f"{self.user} signed in at {self.created_at:%Y-%m-%d %H:%M}"
