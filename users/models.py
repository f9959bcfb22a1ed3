from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """The account. Its public face, the profile, lives in the profiles app."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Alice" and "alice" are one user, even when both sign up at the same instant.
            models.UniqueConstraint(Lower("username"), name="users_user_username_ci_unique"),
        ]
