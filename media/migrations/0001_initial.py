"""PendingFileDeletion moves here from the project package, whose migration 0002 made its table:
the table stays as it is (and keeps its name), only Django's record of which app owns it moves."""
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('drf_api', '0002_pending_file_deletion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PendingFileDeletion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text="The file's name in the media storage.", max_length=255)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                    ],
                    options={
                        'ordering': ['id'],
                        'db_table': 'drf_api_pendingfiledeletion',
                    },
                ),
            ],
        ),
    ]
