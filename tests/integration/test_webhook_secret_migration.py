"""Migrating clear webhook secrets to hashes: existing addresses keep working, the clear text is gone."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coachportal.matches.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("matches", "0002_match_file_purged_at_match_provider_has_file_at")]
AFTER = [("matches", "0003_webhook_secret_hash")]


def test_existing_secrets_are_hashed_and_the_old_address_still_works(client):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Organization = old_apps.get_model("organizations", "Organization")
    OldEndpoint = old_apps.get_model("matches", "WebhookEndpoint")
    org = Organization.objects.create(name="Riverside", slug="riverside")
    secret = "an-old-clear-secret-made-before-hashing-0123"
    OldEndpoint.objects.create(organization=org, secret=secret)
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        endpoint = WebhookEndpoint.objects.get(organization_id=org.pk)
        assert endpoint.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert endpoint.secret_last4 == "0123"
        assert endpoint.accepts(secret) and not endpoint.accepts(secret + "x")
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "matches_webhookendpoint"
            )
        ]
        assert "secret" not in columns
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
