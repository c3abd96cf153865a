"""Failures the client must type correctly: server errors, timeouts, bad bodies, dropped connections."""

import time

import pytest

from coachportal.providers.aikynetix import KeyRejected, ProviderUnavailable, UploadOutcomeUnknown
from tests.fixtures.processes import free_port


@pytest.fixture
def org(aikynetix_sandbox):
    return aikynetix_sandbox.create_key_holder(processing_seconds=3600)


@pytest.fixture
def sandbox(aikynetix_faults):
    return aikynetix_faults


def test_a_server_error_is_provider_unavailable_and_retryable(sandbox, org):
    sandbox.set_faults(error_rate=1.0)

    with pytest.raises(ProviderUnavailable) as caught:
        sandbox.client(org.key, retries=0).list_sessions()

    assert caught.value.status == 500
    assert caught.value.retryable
    assert caught.value.message == "An unexpected error occurred: sandbox fault"


def test_reads_are_retried_until_the_provider_recovers(sandbox, org):
    sandbox.set_faults(error_rate=1.0, times=2, methods=["GET"])

    assert sandbox.client(org.key, retries=3).list_sessions() == []
    assert sandbox.faults()["error_rate"] == 0  # both faulty answers were consumed by retries


def test_uploads_are_never_retried_inside_the_client(sandbox, org, aikynetix_video):
    sandbox.set_faults(error_rate=1.0, times=2, methods=["POST"])

    with pytest.raises(UploadOutcomeUnknown) as caught:
        sandbox.client(org.key, retries=3).upload_running(aikynetix_video, user_id=org.user_ids[0])

    assert caught.value.status == 500
    assert sandbox.faults()["times"] == 1  # one attempt only


def test_every_key_rejected_is_key_rejected_and_not_retryable(sandbox, org):
    sandbox.set_faults(reject_keys=True)

    with pytest.raises(KeyRejected) as caught:
        sandbox.client(org.key).list_sessions()

    assert caught.value.status == 401
    assert not caught.value.retryable


def test_a_read_that_takes_longer_than_the_timeout_is_provider_unavailable(sandbox, org):
    sandbox.set_faults(hang_seconds=3)
    client = sandbox.client(org.key, timeout=(1.0, 0.5), retries=0)
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match="timed out") as caught:
        client.list_sessions()

    assert time.monotonic() - started < 2.5
    assert caught.value.status is None
    assert not caught.value.ambiguous


def test_an_upload_answered_too_late_is_ambiguous_and_the_session_exists(sandbox, org, aikynetix_video):
    sandbox.set_faults(hang_seconds=3, methods=["POST"])
    client = sandbox.client(org.key, upload_timeout=(1.0, 0.5))

    with pytest.raises(UploadOutcomeUnknown) as caught:
        client.upload_running(aikynetix_video, user_id=org.user_ids[0], session_name="late")

    assert caught.value.body_sent and caught.value.ambiguous and caught.value.retryable
    assert [s.title for s in client.list_sessions()] == ["late"]


def test_a_body_that_is_not_json_is_provider_unavailable(sandbox, org):
    sandbox.set_faults(malformed_json=True)

    with pytest.raises(ProviderUnavailable, match="not JSON") as caught:
        sandbox.client(org.key).list_sessions()

    assert caught.value.status == 200
    assert not isinstance(caught.value, UploadOutcomeUnknown)


def test_a_connection_dropped_mid_answer_is_provider_unavailable(sandbox, org):
    sandbox.set_faults(drop_connection=True)

    with pytest.raises(ProviderUnavailable, match="connection dropped"):
        sandbox.client(org.key, retries=0).filter_sessions()


def test_a_connection_dropped_after_the_upload_body_was_received_is_ambiguous(sandbox, org, aikynetix_video):
    sandbox.set_faults(drop_after_upload=True)
    client = sandbox.client(org.key)

    with pytest.raises(UploadOutcomeUnknown) as caught:
        client.upload_jumping(aikynetix_video, user_id=org.user_ids[0], session_name="dropped")

    assert caught.value.body_sent
    sandbox.reset_faults()
    assert [s.title for s in client.list_sessions()] == ["dropped"]  # reconcile before re-sending


def test_an_unreachable_provider_is_provider_unavailable(aikynetix_sandbox):
    client = aikynetix_sandbox.client("k", retries=0)
    client.base_url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(ProviderUnavailable, match="unreachable"):
        client.list_sessions()


def test_an_upload_that_never_connects_is_not_ambiguous(aikynetix_sandbox, aikynetix_video):
    client = aikynetix_sandbox.client("k")
    client.base_url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(ProviderUnavailable) as caught:
        client.upload_running(aikynetix_video)

    assert not caught.value.ambiguous
