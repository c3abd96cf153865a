import pytest
from django.core.management import call_command

from coachportal.organizations.demo import DEMO_KEYS, DEMO_PASSWORD
from coachportal.organizations.models import Membership, Organization, ProviderCredential


@pytest.mark.django_db
def test_the_demo_loads_an_organization_its_people_and_sandbox_keys_and_can_load_again(client):
    for _ in range(2):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    org = Organization.objects.get(slug="riverside")
    assert sorted(Membership.objects.filter(organization=org).values_list("role", flat=True)) == [
        "admin",
        "coach",
        "owner",
    ]
    keys = {c.provider: c.plaintext_key() for c in ProviderCredential.objects.filter(organization=org)}
    assert keys == DEMO_KEYS
    assert org.athletes.count() == 3  # one demo athlete is left for "Find in AiKYNETIX"
    assert client.login(username="coach@riverside.example", password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_refuses_to_load_in_production(settings):
    settings.DEBUG = False
    settings.SANDBOX_ALLOWED = False
    with pytest.raises(Exception, match="Demo data is for local development"):
        call_command("seed_demo")


def test_the_demo_sessions_spread_over_recent_weeks_so_last_month_is_never_empty():
    from datetime import UTC, datetime

    from coachportal.sandbox.aikynetix import demo

    today = datetime.now(UTC).date()
    days = sorted((today - spec.created_at.date()).days for spec in demo.DEMO_SESSIONS)
    assert days[0] <= 7  # something this week
    # Whatever today's day of the month (d), last month's days lie d to d + 27 (or more) days back.
    for day_of_month in range(1, 32):
        assert any(day_of_month <= d <= day_of_month + 27 for d in days), day_of_month


@pytest.mark.django_db
def test_the_demo_queues_the_sessions_and_the_football_matches(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    queued = {path.rsplit(".", 1)[-1] for path in DBTaskResult.objects.values_list("task_path", flat=True)}
    assert {"sync_sessions", "sync_match_history"} <= queued
