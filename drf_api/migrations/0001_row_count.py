from django.db import migrations

from drf_api.counting import COUNTER_TABLE


class Migration(migrations.Migration):
    """The table of kept row counts (drf_api/counting.py). Not a model: `flush` leaves it alone,
    and the triggers of each counted table keep its row right (TRUNCATE included)."""

    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            f"CREATE TABLE {COUNTER_TABLE} (table_name varchar(128) NOT NULL PRIMARY KEY, row_count bigint NOT NULL)",
            f"DROP TABLE {COUNTER_TABLE}",
        ),
    ]
