"""The AI on the Ball client's typed errors, provoked over real HTTP by the sandbox's fault knobs."""

import time

import pytest

from coachportal.providers.aiontheball import (
    AiOnTheBallClient,
    Forbidden,
    InvalidRequest,
    ProviderUnavailable,
    TokenRejected,
)
from tests.fixtures.processes import free_port

MATCH_URL = "https://storage.example.com/matches/riverside-vs-hilltop.mp4"


def test_an_unknown_token_is_rejected(aiontheball_sandbox):
    client = aiontheball_sandbox.client("not-a-real-token")

    with pytest.raises(TokenRejected) as caught:
        client.list_videos()

    assert caught.value.status_code == 401
    assert caught.value.message == "Unauthenticated."
    assert caught.value.retryable is False


def test_check_token_passes_for_a_good_token_and_raises_for_a_revoked_one(aiontheball_sandbox):
    holder = aiontheball_sandbox.create_keyholder("Soon revoked")
    client = aiontheball_sandbox.client(holder["token"])
    client.check_token()

    aiontheball_sandbox.revoke_keyholder(holder["id"])

    with pytest.raises(TokenRejected):
        client.check_token()


def test_every_token_is_rejected_when_the_provider_says_so(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(reject_all_tokens=True)

    with pytest.raises(TokenRejected):
        aiontheball_client.list_videos()


def test_a_403_is_forbidden(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=403)

    with pytest.raises(Forbidden) as caught:
        aiontheball_client.list_videos()

    assert caught.value.message == "This action is unauthorized."


def test_a_400_is_an_invalid_request(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=400)

    with pytest.raises(InvalidRequest) as caught:
        aiontheball_client.create_video(MATCH_URL)

    assert caught.value.status_code == 400


def test_a_server_error_is_provider_unavailable_and_retryable(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=503)

    with pytest.raises(ProviderUnavailable) as caught:
        aiontheball_client.list_videos()

    assert caught.value.status_code == 503
    assert caught.value.retryable is True


def test_a_read_that_fails_once_is_retried_and_succeeds(aiontheball_sandbox, aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=502, remaining=1, methods=["GET"])

    assert aiontheball_client.get_video(video.id).id == video.id


def test_a_create_that_fails_is_not_retried(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=502, remaining=1, methods=["POST"])

    with pytest.raises(ProviderUnavailable):
        aiontheball_client.create_video(MATCH_URL)

    # The fault covered one request only: a retry would have gone through and created a video.
    assert aiontheball_client.list_videos().total == 0


def test_a_dropped_create_is_not_retried(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(drop_connection=True, remaining=1, methods=["POST"])

    with pytest.raises(ProviderUnavailable):
        aiontheball_client.create_video(MATCH_URL)

    assert aiontheball_client.list_videos().total == 0


def test_a_provider_that_does_not_answer_in_time_is_unavailable(aiontheball_sandbox, aiontheball_token):
    client = aiontheball_sandbox.client(aiontheball_token, timeout=(1.0, 0.5), read_retries=0)
    aiontheball_sandbox.set_faults(timeout=True, hang_seconds=5)
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match="in time") as caught:
        client.list_videos()

    assert time.monotonic() - started < 3
    assert caught.value.retryable is True


def test_a_body_that_is_not_json_is_provider_unavailable(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(malformed_json=True)

    with pytest.raises(ProviderUnavailable, match="not JSON") as caught:
        aiontheball_client.list_videos()

    assert caught.value.status_code == 200


def test_a_dropped_connection_is_provider_unavailable(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(drop_connection=True)

    with pytest.raises(ProviderUnavailable, match="Could not reach"):
        aiontheball_client.list_videos()


def test_a_provider_nobody_listens_on_is_unavailable():
    client = AiOnTheBallClient(
        "any-token", base_url=f"http://127.0.0.1:{free_port()}/api/v1", timeout=1, read_retries=0
    )

    with pytest.raises(ProviderUnavailable):
        client.list_videos()


def test_latency_slows_the_answer_but_it_still_arrives(aiontheball_sandbox, aiontheball_client):
    aiontheball_sandbox.set_faults(latency_ms=300)
    started = time.monotonic()

    page = aiontheball_client.list_videos()

    assert time.monotonic() - started >= 0.3
    assert page.total == 0
