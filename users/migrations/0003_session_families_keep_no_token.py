from django.db import migrations


def forget_outstanding_tokens(apps, schema_editor):
    """simplejwt's outstanding-token rows kept each token in clear; their jti identifies them."""
    apps.get_model("token_blacklist", "OutstandingToken").objects.exclude(token="").update(token="")


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_session_families"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.RemoveField(model_name="sessionfamily", name="current_token"),
        migrations.RunPython(forget_outstanding_tokens, migrations.RunPython.noop),
    ]
