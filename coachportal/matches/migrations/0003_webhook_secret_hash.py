"""Webhook secrets are kept as a SHA-256 plus their last four characters, not in clear.

Existing addresses keep working: each stored secret is hashed in place before the clear column goes.
"""

import hashlib

from django.db import migrations, models


def hash_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("matches", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.all():
        endpoint.secret_hash = hashlib.sha256(endpoint.secret.encode()).hexdigest()
        endpoint.secret_last4 = endpoint.secret[-4:]
        endpoint.save(update_fields=["secret_hash", "secret_last4"])


class Migration(migrations.Migration):
    dependencies = [
        ("matches", "0002_match_file_purged_at_match_provider_has_file_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_last4",
            field=models.CharField(default="", max_length=4),
            preserve_default=False,
        ),
        # Hashing cannot be undone: going back leaves the old column empty (rotate the address then).
        migrations.RunPython(hash_secrets, migrations.RunPython.noop),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
    ]
