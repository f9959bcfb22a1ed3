from django.conf import settings
from django.db import models


class OpenSocket(models.Model):
    """A socket that is open now, on any server process: how many a user holds is counted here.

    A socket closes when its access token expires, so a row whose `expires_at` has passed belongs
    to a socket that is gone (a process that died without saying so): it no longer counts.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="When the socket's access token expires, and the socket with it.")

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="open_socket_user_idx")]

    def __str__(self):
        return f"{self.user_id} on {self.channel_name}"
