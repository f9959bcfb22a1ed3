"""Writes of profiles (a profile is made with its user: profiles/signals.py). Views and admin call
these; a stored image is processed as it is saved and a replaced one deleted after commit
(media.stored)."""
from typing import Any

from drf_api.services import save_changes
from profiles.models import Profile


def profile_update(*, profile: Profile, **changes: Any) -> Profile:
    return save_changes(profile, **changes)
