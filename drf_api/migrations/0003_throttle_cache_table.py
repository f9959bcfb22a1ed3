"""The table of Django's database cache that holds the shared throttle counts when there is no
Redis (settings.CACHES["throttle"]): made here, so `migrate` (the Procfile's release step) is all
a deployment runs, rather than `createcachetable` besides."""
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "drf_api_throttle_cache"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("drf_api", "0002_pending_file_deletion")]

    operations = [migrations.RunPython(create_table, drop_table)]
