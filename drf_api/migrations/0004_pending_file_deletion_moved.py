"""PendingFileDeletion now belongs to the media app (media/migrations/0001): its table stays, only
this app's record of the model goes."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('drf_api', '0003_throttle_cache_table'),
        ('media', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PendingFileDeletion')],
        ),
    ]
