"""The one way into a provider (credentials.provider_client), against the real sandboxes: every failure
says what kind it was, whether a retry can help and whether a write's answer was lost, and a refused
key is marked rejected for the owners' banner."""

import pytest

from coachportal.organizations import credentials
from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.providers import aikynetix

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(portal_sandbox):
    return portal_sandbox


@pytest.fixture
def holder(sandbox):
    return sandbox.create_key_holder(admin=True, users=1)


@pytest.fixture
def aob(aiontheball_sandbox, aiontheball_token, settings, org_a):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    return aiontheball_sandbox


def failure_of(org, provider, call, **options) -> ProviderCallFailed:
    with pytest.raises(ProviderCallFailed) as caught, provider_client(org, provider, **options) as client:
        call(client)
    return caught.value


def test_a_call_with_the_organizations_key_answers(org_a, key):
    with provider_client(org_a, Provider.AIKYNETIX) as client:
        assert client.organization_status().is_admin


def test_no_key_is_said_before_any_call(org_a, sandbox):
    failure = failure_of(org_a, Provider.AIKYNETIX, lambda client: pytest.fail("no client without a key"))
    assert failure.kind is Failure.NO_KEY
    assert not failure.retryable and not failure.outcome_unknown


def test_a_refused_key_is_not_retryable_and_is_marked_rejected(org_a, key, sandbox):
    sandbox.set_faults(reject_keys=True)
    failure = failure_of(org_a, Provider.AIKYNETIX, lambda client: client.organization_status())
    assert failure.kind is Failure.KEY_REJECTED
    assert not failure.retryable and not failure.outcome_unknown
    credential = ProviderCredential.objects.get()
    assert credential.status == ProviderCredential.Status.REJECTED
    assert credential.status_message  # the provider's words, for the banner


def test_a_key_that_cannot_be_decrypted_says_so_and_nothing_is_sent(org_a, key, sandbox):
    ProviderCredential.objects.update(key_ciphertext="not a fernet token")
    failure = failure_of(org_a, Provider.AIKYNETIX, lambda client: pytest.fail("no client without a key"))
    assert failure.kind is Failure.KEY_UNREADABLE
    assert not failure.retryable


def test_a_provider_that_keeps_failing_a_read_may_be_tried_again_and_did_nothing(org_a, key, sandbox):
    sandbox.set_faults(error_rate=1.0, methods=["GET"])
    failure = failure_of(org_a, Provider.AIKYNETIX, lambda client: client.organization_status(), retries=0)
    assert failure.kind is Failure.UNAVAILABLE
    assert failure.retryable and not failure.outcome_unknown
    assert ProviderCredential.objects.get().status != ProviderCredential.Status.REJECTED


def test_a_write_whose_answer_is_lost_has_an_unknown_outcome_and_did_happen(org_a, key, holder, sandbox):
    sandbox.set_faults(drop_after_write=True, methods=["POST"], times=1)
    failure = failure_of(
        org_a,
        Provider.AIKYNETIX,
        lambda client: client.create_user(email="new@club.example", display_name="New Athlete"),
    )
    assert failure.kind is Failure.UNAVAILABLE
    assert failure.retryable and failure.outcome_unknown
    # Why the flag matters: the provider did create the client, so a blind retry would make a second.
    emails = [user["email"] for user in sandbox.users(holder.key)]
    assert "new@club.example" in emails


def test_an_unknown_object_is_not_found_and_leaves_the_key_alone(org_a, key):
    failure = failure_of(org_a, Provider.AIKYNETIX, lambda client: client.get_user("nobody-here"))
    assert failure.kind is Failure.NOT_FOUND
    assert not failure.retryable and not failure.outcome_unknown
    assert isinstance(failure.error, aikynetix.NotFound)
    assert ProviderCredential.objects.get().status == ProviderCredential.Status.UNVERIFIED


def test_an_error_expected_inside_the_block_keeps_the_providers_type(org_a, key):
    with provider_client(org_a, Provider.AIKYNETIX) as client:
        with pytest.raises(aikynetix.NotFound):
            client.get_user("nobody-here")
        assert client.organization_status().is_admin  # the client stays usable


def test_a_revoked_ai_on_the_ball_token_is_marked_rejected(org_a, aob):
    aob.set_faults(reject_all_tokens=True)
    failure = failure_of(org_a, Provider.AIONTHEBALL, lambda client: client.check_token())
    assert failure.kind is Failure.KEY_REJECTED and not failure.retryable
    assert ProviderCredential.objects.get().status == ProviderCredential.Status.REJECTED


def test_an_ai_on_the_ball_registration_without_an_answer_has_an_unknown_outcome(org_a, aob):
    aob.set_faults(timeout=True, hang_seconds=3, methods=["POST"], remaining=1)
    failure = failure_of(
        org_a,
        Provider.AIONTHEBALL,
        lambda client: client.create_video("https://storage.example.com/m.mp4", title="Cup final"),
        timeout=(5, 1),
    )
    assert failure.kind is Failure.UNAVAILABLE
    assert failure.retryable and failure.outcome_unknown


def test_an_ai_on_the_ball_read_that_fails_did_nothing(org_a, aob):
    aob.set_faults(error_rate=1.0, error_status=503, methods=["GET"])
    failure = failure_of(org_a, Provider.AIONTHEBALL, lambda client: client.get_video(1), read_retries=0)
    assert failure.kind is Failure.UNAVAILABLE
    assert failure.retryable and not failure.outcome_unknown


def test_an_unknown_ai_on_the_ball_video_is_not_found(org_a, aob):
    failure = failure_of(org_a, Provider.AIONTHEBALL, lambda client: client.get_video(987654))
    assert failure.kind is Failure.NOT_FOUND and not failure.retryable
