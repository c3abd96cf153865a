"""Uploads through the AiKYNETIX client, against the sandbox over real HTTP."""

import io

import pytest

from coachportal.providers.aikynetix import InvalidRequest, KeyRejected, NotFound, NotPermitted


@pytest.fixture
def org(aikynetix_sandbox):
    return aikynetix_sandbox.create_key_holder(processing_seconds=60)


@pytest.fixture
def client(aikynetix_sandbox, org):
    return aikynetix_sandbox.client(org.key)


def test_it_uploads_a_running_video_for_an_athlete_and_returns_the_session(client, org, aikynetix_video):
    result = client.upload_running(
        aikynetix_video, user_id=org.user_ids[0], session_name="Tempo", incline_degree=2
    )

    (session,) = client.list_sessions()
    assert len(result.session_id) == 32
    assert result.title == "Tempo"
    assert session.id == result.session_id
    assert session.activity == "Running"
    assert session.user_id == org.user_ids[0]
    assert session.user_name == org.users[0]["user_name"]


def test_it_uploads_a_jump_video_with_its_exercise(client, org, aikynetix_video):
    result = client.upload_jumping(
        aikynetix_video, user_id=org.user_ids[1], exercise="Drop Jump", incline_degree="5"
    )

    (session,) = client.fetch_sessions([result.session_id])
    assert session.activity == "Vertical Jump"
    assert session.exercise == "Drop Jump"


def test_it_uploads_a_weightlifting_video_from_an_open_file(client, org, aikynetix_video):
    with aikynetix_video.open("rb") as handle:
        result = client.upload_weightlifting(handle, exercise_name="clean_and_jerk", user_id=org.user_ids[0])

    (session,) = client.fetch_sessions([result.session_id])
    assert session.activity == "Weightlifting"
    assert session.exercise == "clean_and_jerk"


def test_it_uploads_to_the_key_owners_own_account_without_a_user_id(client, org, aikynetix_video):
    result = client.upload_running(aikynetix_video)

    (session,) = client.fetch_sessions([result.session_id])
    assert session.user_id == org.owner_user_id
    assert session.title.startswith("Running ")  # the provider's fallback title


def test_the_generic_upload_dispatches_by_activity(client, org, aikynetix_video):
    result = client.upload("weightlifting", aikynetix_video, exercise_name="snatch", user_id=org.user_ids[0])

    assert client.fetch_sessions([result.session_id])[0].exercise == "snatch"


def test_it_reports_upload_progress(client, org, aikynetix_video):
    seen = []

    client.upload_running(
        aikynetix_video, user_id=org.user_ids[0], progress=lambda done, total: seen.append(done)
    )

    assert seen[-1] >= aikynetix_video.stat().st_size


def test_an_unknown_weightlifting_exercise_is_an_invalid_request(client, org, aikynetix_video):
    with pytest.raises(InvalidRequest) as caught:
        client.upload_weightlifting(aikynetix_video, exercise_name="deadlift", user_id=org.user_ids[0])

    assert caught.value.status == 400
    assert "exercise_name" in caught.value.message
    assert not caught.value.retryable


def test_an_unknown_jump_exercise_is_an_invalid_request(client, org, aikynetix_video):
    with pytest.raises(InvalidRequest, match="exercise"):
        client.upload_jumping(aikynetix_video, exercise="Squat Jump", user_id=org.user_ids[0])


def test_a_non_numeric_incline_is_an_invalid_request(client, org, aikynetix_video):
    with pytest.raises(InvalidRequest, match="incline_degree"):
        client.upload_running(aikynetix_video, user_id=org.user_ids[0], incline_degree="steep")


def test_an_empty_video_is_an_invalid_request(client, org):
    with pytest.raises(InvalidRequest, match="video is required"):
        client.upload_running(io.BytesIO(b""), user_id=org.user_ids[0], filename="empty.mp4")


def test_a_management_upload_for_an_unknown_user_is_not_found(client, aikynetix_video):
    with pytest.raises(NotFound, match="User nobody-here not found") as caught:
        client.upload_running(aikynetix_video, user_id="nobody-here")

    assert caught.value.status == 404
    assert client.list_sessions() == []


def test_a_management_upload_with_a_non_admin_key_is_forbidden(aikynetix_sandbox, aikynetix_video):
    member = aikynetix_sandbox.create_key_holder(admin=False)
    client = aikynetix_sandbox.client(member.key)

    with pytest.raises(NotPermitted) as caught:
        client.upload_running(aikynetix_video, user_id=member.user_ids[0])

    assert caught.value.status == 403
    assert caught.value.message == "You must be an admin to access this data."


def test_a_non_admin_key_may_still_upload_to_its_own_account(aikynetix_sandbox, aikynetix_video):
    member = aikynetix_sandbox.create_key_holder(admin=False)

    result = aikynetix_sandbox.client(member.key).upload_running(aikynetix_video, session_name="Mine")

    assert result.title == "Mine"


def test_an_unknown_key_is_rejected(aikynetix_sandbox, aikynetix_video):
    client = aikynetix_sandbox.client("not-a-real-key")

    with pytest.raises(KeyRejected) as caught:
        client.upload_running(aikynetix_video)

    assert caught.value.status == 401
    assert caught.value.message == "Invalid API key."
