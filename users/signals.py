"""What the users app announces; apps that react listen (users never imports them)."""
from django.dispatch import Signal

# Sign-ins were revoked (logout, password change, reuse, an admin): `family_ids`, a list of
# SessionFamily ids. Sent inside the revoking transaction; act on it after commit.
sign_ins_ended = Signal()
