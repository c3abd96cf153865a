"""Listing, fetching, filtering, paging, updating and deleting sessions over real HTTP."""

from datetime import UTC, date, datetime

import pytest

from coachportal.providers.aikynetix import InvalidRequest, NotFound, NotPermitted, SessionStatus


@pytest.fixture(scope="module")
def library(aikynetix_sandbox, aikynetix_video):
    """An organization with five sessions: three finished and dated, two still processing."""
    org = aikynetix_sandbox.create_key_holder(processing_seconds=3600)
    client = aikynetix_sandbox.client(org.key)
    anna, ben = org.user_ids
    uploads = [
        ("r1", client.upload_running(aikynetix_video, user_id=anna, session_name="Morning Tempo")),
        ("j1", client.upload_jumping(aikynetix_video, user_id=ben, session_name="CMJ test")),
        ("w1", client.upload_weightlifting(aikynetix_video, user_id=anna, exercise_name="snatch")),
        ("r2", client.upload_running(aikynetix_video, user_id=ben, session_name="Evening tempo run")),
        ("j2", client.upload_jumping(aikynetix_video, user_id=anna, session_name="Drop jumps")),
    ]
    ids = {name: result.session_id for name, result in uploads}
    dates = {"r1": "2025-01-10 16:39:00", "j1": "2025-01-20 00:15:00", "w1": "2025-02-01 12:05:00"}
    for name, stamp in dates.items():
        client.update_session(ids[name], created_at=stamp)
        aikynetix_sandbox.complete_session(ids[name])
    return org, ids


@pytest.fixture
def client(aikynetix_sandbox, library):
    return aikynetix_sandbox.client(library[0].key)


def test_list_returns_every_session_newest_first(client, library):
    _, ids = library

    sessions = client.list_sessions()

    assert [s.id for s in sessions] == [ids["j2"], ids["r2"], ids["w1"], ids["j1"], ids["r1"]]
    assert sessions[-1].created_at == datetime(2025, 1, 10, 16, 39, tzinfo=UTC)


def test_list_of_an_organization_without_sessions_is_empty_not_an_error(aikynetix_sandbox):
    org = aikynetix_sandbox.create_key_holder()

    assert aikynetix_sandbox.client(org.key).list_sessions() == []


def test_finished_sessions_are_ready_with_metrics_and_processing_ones_are_not(client, library):
    _, ids = library
    by_id = {s.id: s for s in client.list_sessions()}

    assert by_id[ids["r1"]].status is SessionStatus.READY
    assert {"speed", "cadence", "contact_time", "stride_length"} <= set(by_id[ids["r1"]].metrics)
    assert by_id[ids["r1"]].report_comments["text_summary"]["en"]
    assert by_id[ids["r2"]].status is SessionStatus.PROCESSING
    assert by_id[ids["r2"]].metrics == {}
    assert by_id[ids["r2"]].analyzed_video_url is None


def test_fetch_by_ids_returns_only_those_sessions(client, library):
    _, ids = library

    sessions = client.fetch_sessions([ids["w1"], ids["j1"], "not-a-session"])

    assert {s.id for s in sessions} == {ids["w1"], ids["j1"]}


def test_filter_by_activity_uses_the_providers_activity_names(client, library):
    _, ids = library

    page = client.filter_sessions(activity="jumping")

    assert {s.id for s in page.sessions} == {ids["j1"], ids["j2"]}
    assert page.query_count == 2


def test_filter_by_title_is_a_case_insensitive_substring(client, library):
    _, ids = library

    page = client.filter_sessions(title="TEMPO")

    assert {s.id for s in page.sessions} == {ids["r1"], ids["r2"]}


def test_filter_by_user_id(client, library):
    org, ids = library

    page = client.filter_sessions(user_id=org.user_ids[1])

    assert {s.id for s in page.sessions} == {ids["j1"], ids["r2"]}


def test_filter_by_date_range_includes_both_end_days(client, library):
    _, ids = library

    page = client.filter_sessions(start_date=date(2025, 1, 10), end_date="20/01/2025")

    assert {s.id for s in page.sessions} == {ids["r1"], ids["j1"]}


def test_filter_by_uploader_and_processing_state(client, library, monkeypatch):
    org, ids = library
    monkeypatch.setattr("coachportal.providers.aikynetix.client.SEND_UNCONFIRMED_FILTERS", True)

    page = client.filter_sessions(uploaded_by=org.owner_user_id, processing_state="processing")

    assert {s.id for s in page.sessions} == {ids["r2"], ids["j2"]}


def test_filter_limit_caps_the_page_but_query_count_counts_all_matches(client):
    page = client.filter_sessions(title="e", limit=2)

    assert len(page.sessions) == 2
    assert page.query_count == 4


def test_a_filter_matching_nothing_is_an_empty_page(client):
    page = client.filter_sessions(title="no such title")

    assert page.sessions == []
    assert page.query_count == 0


def test_a_malformed_filter_date_is_an_invalid_request(client):
    with pytest.raises(InvalidRequest) as caught:
        client.filter_sessions(start_date="2025-01-10")

    assert caught.value.message == "Invalid date format (expected dd/mm/yyyy)."


def test_cursors_walk_the_unfiltered_list_page_by_page(client, library):
    _, ids = library
    first = client.filter_sessions(limit=2)

    second = client.filter_sessions(limit=2, start_after_id=first.last_doc_id)
    back = client.filter_sessions(limit=2, end_before_id=second.first_doc_id)

    assert [s.id for s in first.sessions] == [ids["j2"], ids["r2"]]
    assert [s.id for s in second.sessions] == [ids["w1"], ids["j1"]]
    assert [s.id for s in back.sessions] == [ids["j2"], ids["r2"]]
    assert first.query_count == 5


def test_iterating_visits_every_session_once_in_order(client):
    expected = [s.id for s in client.list_sessions()]

    assert [s.id for s in client.iter_sessions(page_size=2)] == expected


def test_update_changes_title_and_timestamp(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id

    message = client.update_session(
        session_id, title="Renamed", created_at=datetime(2024, 12, 31, 12, 5, 0, tzinfo=UTC)
    )

    (session,) = client.fetch_sessions([session_id])
    assert message == f"{session_id} was successfully updated"
    assert session.title == "Renamed"
    assert session.created_at == datetime(2024, 12, 31, 12, 5, tzinfo=UTC)
    assert session.raw["created_at"] == {"date": "31/12/2024", "time": "12:05 PM"}


def test_update_with_a_malformed_timestamp_is_an_invalid_request(client, library):
    _, ids = library

    with pytest.raises(InvalidRequest, match="YYYY-MM-DD HH:MM:SS"):
        client.update_session(ids["r1"], created_at="10/01/2025 16:39")


def test_update_of_an_unknown_session_is_not_found(client):
    with pytest.raises(NotFound) as caught:
        client.update_session("0" * 32, title="x")

    assert caught.value.message == f"Session {'0' * 32} not found"


def test_delete_removes_the_session_and_a_second_delete_is_not_found(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id

    message = client.delete_session(session_id)

    assert message == f"{session_id} was successfully deleted"
    assert client.list_sessions() == []
    with pytest.raises(NotFound):
        client.delete_session(session_id)


def test_session_management_with_a_non_admin_key_is_forbidden(aikynetix_sandbox):
    member = aikynetix_sandbox.create_key_holder(admin=False)
    client = aikynetix_sandbox.client(member.key)

    with pytest.raises(NotPermitted):
        client.list_sessions()
    with pytest.raises(NotPermitted):
        client.filter_sessions()
    with pytest.raises(NotPermitted):
        client.delete_session("0" * 32)


def test_a_key_never_sees_or_touches_another_organizations_sessions(aikynetix_sandbox, library):
    _, ids = library
    other = aikynetix_sandbox.client(aikynetix_sandbox.create_key_holder().key)

    assert other.list_sessions() == []
    assert other.filter_sessions().sessions == []
    assert other.fetch_sessions([ids["r1"]]) == []
    with pytest.raises(NotFound):
        other.get_analyzed_video_url(ids["r1"])
    with pytest.raises(NotFound):
        other.update_session(ids["r1"], title="stolen")
    with pytest.raises(NotFound):
        other.delete_session(ids["r1"])
