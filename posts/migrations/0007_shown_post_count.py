from django.db import migrations

from drf_api.counting import CountRowsBy


class Migration(migrations.Migration):
    """PostgreSQL keeps, per owner, how many posts are not hidden (Post.rows_counted_by)."""

    dependencies = [
        ('posts', '0006_shown_indexes'),
    ]

    operations = [
        CountRowsBy("posts_post", "owner_id", "hidden_at IS NULL", "posts_shown_count"),
    ]
