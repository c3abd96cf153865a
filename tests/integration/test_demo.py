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
