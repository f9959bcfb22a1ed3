from django.db import migrations

from drf_api.counting import CountRows


class Migration(migrations.Migration):
    """Profiles are counted: GET /profiles/ reads its `count` instead of a COUNT(*) of every user's profile."""

    dependencies = [
        ("profiles", "0003_stored_image"),
        ("drf_api", "0001_row_count"),
    ]

    operations = [
        CountRows("profiles_profile"),
    ]
