"""The sandbox's HTTP contract, seen with plain requests: auth forms, slashes, bodies, persistence."""

import pytest
import requests

from coachportal.providers import aikynetix as client_module
from coachportal.sandbox.aikynetix import app as sandbox_app
from coachportal.sandbox.aikynetix.demo import DEMO_API_KEY, DEMO_SESSIONS, DEMO_USERS
from tests.fixtures.aikynetix_sandbox import running_sandbox


def list_with(sandbox, headers):
    return requests.get(f"{sandbox.base_url}/session-management/sessions/", headers=headers, timeout=10)


def test_either_documented_header_form_is_accepted(aikynetix_sandbox):
    key = aikynetix_sandbox.create_key_holder().key

    assert list_with(aikynetix_sandbox, {"API-KEY": key}).status_code == 404  # no sessions yet, but admitted
    assert list_with(aikynetix_sandbox, {"Authorization": f"API-KEY {key}"}).status_code == 404


def test_a_missing_key_is_401_with_an_error_body(aikynetix_sandbox):
    response = list_with(aikynetix_sandbox, {})

    assert response.status_code == 401
    assert response.json() == {"error": "No token provided."}


def test_an_unknown_key_or_another_scheme_is_401(aikynetix_sandbox):
    key = aikynetix_sandbox.create_key_holder().key

    assert list_with(aikynetix_sandbox, {"API-KEY": "unknown"}).json() == {"error": "Invalid API key."}
    assert list_with(aikynetix_sandbox, {"Authorization": f"Bearer {key}"}).status_code == 401
    assert list_with(aikynetix_sandbox, {"Authorization": key}).status_code == 401


def test_an_empty_account_lists_as_404_no_sessions(aikynetix_sandbox):
    key = aikynetix_sandbox.create_key_holder().key

    assert list_with(aikynetix_sandbox, {"API-KEY": key}).json() == {
        "error": "No sessions found for this user."
    }


def test_update_and_delete_answer_with_and_without_a_trailing_slash(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    first = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    second = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    base = f"{aikynetix_sandbox.base_url}/session-management/sessions"
    headers = {"API-KEY": org.key}

    renamed = requests.put(f"{base}/{first}/", json={"title": "slash"}, headers=headers, timeout=10)
    deleted = requests.delete(f"{base}/{second}/", headers=headers, timeout=10)

    assert renamed.json() == {"success": f"{first} was successfully updated"}
    assert deleted.json() == {"success": f"{second} was successfully deleted"}
    assert [s.title for s in client.list_sessions()] == ["slash"]


def test_an_upload_that_is_not_multipart_is_400(aikynetix_sandbox):
    key = aikynetix_sandbox.create_key_holder().key

    response = requests.post(
        f"{aikynetix_sandbox.base_url}/running/sessions/",
        json={"video": "x"},
        headers={"API-KEY": key},
        timeout=10,
    )

    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["error"]


def test_a_management_upload_without_user_id_is_400(aikynetix_sandbox, aikynetix_video):
    key = aikynetix_sandbox.create_key_holder().key

    with aikynetix_video.open("rb") as handle:
        response = requests.post(
            f"{aikynetix_sandbox.base_url}/running/management/sessions/",
            files={"video": ("a.mp4", handle, "video/mp4")},
            headers={"API-KEY": key},
            timeout=10,
        )

    assert response.status_code == 400
    assert response.json() == {"error": "user_id is required"}


def test_unknown_paths_and_methods_answer_json_errors(aikynetix_sandbox):
    assert requests.get(f"{aikynetix_sandbox.base_url}/v1/sessions/", timeout=10).json() == {
        "error": "Not found"
    }
    response = requests.delete(f"{aikynetix_sandbox.base_url}/session-management/sessions/", timeout=10)
    assert response.status_code == 405


def test_the_unconfirmed_names_match_between_client_and_sandbox():
    assert client_module.FETCH_BY_IDS_PATH == sandbox_app.FETCH_BY_IDS_PATH
    assert client_module.UPLOADER_FILTER_PARAM == sandbox_app.UPLOADER_FILTER_PARAM
    assert client_module.PROCESSING_STATE_FILTER_PARAM == sandbox_app.PROCESSING_STATE_FILTER_PARAM


@pytest.mark.slow
def test_sessions_and_key_holders_persist_across_restarts(tmp_path, aikynetix_video):
    with running_sandbox(tmp_path / "data") as sandbox:
        org = sandbox.create_key_holder()
        session_id = (
            sandbox.client(org.key).upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
        )

    with running_sandbox(tmp_path / "data") as restarted:
        sessions = restarted.client(org.key).list_sessions()

    assert [s.id for s in sessions] == [session_id]


@pytest.mark.slow
def test_the_demo_seeds_an_admin_key_its_athletes_and_finished_sessions(tmp_path):
    with running_sandbox(tmp_path / "demo", extra_args=("--demo",)) as sandbox:
        client = sandbox.client(DEMO_API_KEY)
        sessions = client.list_sessions()
        analysed = requests.get(sessions[0].analyzed_video_url, timeout=60)

    assert {s.id for s in sessions} == {spec.session_id for spec in DEMO_SESSIONS}
    assert {s.activity for s in sessions} == {"Running", "Vertical Jump", "Weightlifting"}
    assert {s.user_id for s in sessions} <= {user.user_id for user in DEMO_USERS}
    assert all(s.status.value == "ready" and s.metrics for s in sessions)
    assert analysed.headers["Content-Type"] == "video/mp4"
    assert len(analysed.content) > 10_000
