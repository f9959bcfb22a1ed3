from django.db import migrations

from drf_api.counting import KeyedCountFunction


class Migration(migrations.Migration):
    """An owner with no post left (a deleted account) loses its row in posts_shown_count."""

    dependencies = [
        ('posts', '0007_shown_post_count'),
    ]

    operations = [
        KeyedCountFunction("owner_id", "hidden_at IS NULL", "posts_shown_count"),
    ]
