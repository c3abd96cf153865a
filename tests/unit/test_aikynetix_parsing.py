"""Parsing of AiKYNETIX JSON, with bodies shaped exactly like the reference's examples."""

from datetime import UTC, date, datetime

import pytest
import requests

from coachportal.providers.aikynetix import (
    AikynetixClient,
    InvalidRequest,
    KeyRejected,
    NotFound,
    NotPermitted,
    ProviderUnavailable,
    SessionStatus,
    UploadOutcomeUnknown,
)
from coachportal.providers.aikynetix.errors import error_for_status
from coachportal.providers.aikynetix.parsing import (
    MalformedResponse,
    error_message,
    format_filter_date,
    format_update_timestamp,
    parse_created_at,
    parse_page,
    parse_sessions,
    parse_upload,
    parse_video_url,
)

# Reference section 6.1, "Full example".
LIST_EXAMPLE = {
    "sessions": {
        "5d5c8d7fcd6945f2936ced84f9a20562": {
            "video_url": "...",
            "analyzed_video_url": "...",
            "segments": 10,
            "created_at": {"date": "10/01/2025", "time": "04:39 PM"},
            "exercise": "clean_and_jerk",
            "user_name": "Lee Jhon",
            "report_comments": {},
            "activity": "Weightlifting",
            "user_id": "hWWb9eK3DLWaGHCIs7ltDB8474u1",
            "title": "new-test-w",
            "metrics": {},
        },
        "eb10229c6bf04c4394b547201d1a96f7": {
            "video_url": "...",
            "analyzed_video_url": "...",
            "segments": 5,
            "created_at": {"date": "26/12/2024", "time": "08:48 PM"},
            "user_name": "Suzan",
            "activity": "Vertical Jump",
            "user_id": "hLT10sKbCumCUIsNAk3h",
            "title": "djias-jump",
            "report_comments": {},
            "metrics": {},
        },
    }
}

# Reference section 6.3.
FILTER_EXAMPLE = {
    "query_count": 111,
    "sessions": {
        "5d5c8d7fcd6945f2936ced84f9a20562": {
            "activity": "Weightlifting",
            "created_at": {"date": "10/01/2025", "time": "04:39 PM"},
            "analyzed_video_url": "...",
            "video_url": "...",
            "segments": 10,
            "exercise": "clean_and_jerk",
            "user_name": "Lee Jhon",
            "report_comments": {"...": "..."},
            "metrics": {"...": "..."},
            "user_status": "admin",
            "user_id": "hWWb9eK3DLWaGHCIs7ltDB8474u1",
            "title": "new-test-w",
        },
    },
    "first_doc_id": "5d5c8d7fcd6945f2936ced84f9a20562",
    "last_doc_id": "bd977842e3e64845991b77d78db8b7e9",
}

# Reference section 8.4: weightlifting metrics are scalars.
WEIGHTLIFTING_METRICS = {
    "bar_past_the_knee_speed": 1.2634576485766442,
    "max_GRF": 1090205.6278922595,
    "first_pull_end": 954,
    "max_power": 10633983.025107784,
    "max_bar_speed": 33.22927464315564,
}


@pytest.mark.parametrize(
    ("time_text", "expected"),
    [
        ("12:00 AM", (0, 0)),
        ("12:30 AM", (0, 30)),
        ("01:05 AM", (1, 5)),
        ("11:59 AM", (11, 59)),
        ("12:00 PM", (12, 0)),
        ("12:45 PM", (12, 45)),
        ("01:00 PM", (13, 0)),
        ("04:39 PM", (16, 39)),
        ("11:59 PM", (23, 59)),
    ],
)
def test_created_at_reads_the_twelve_hour_clock_including_midnight_and_noon(time_text, expected):
    parsed = parse_created_at({"date": "10/01/2025", "time": time_text})

    assert parsed == datetime(2025, 1, 10, *expected, tzinfo=UTC)


def test_created_at_reads_day_before_month():
    assert parse_created_at({"date": "02/03/2025", "time": "08:48 PM"}).date() == date(2025, 3, 2)


def test_created_at_is_timezone_aware_utc():
    assert parse_created_at({"date": "19/12/2024", "time": "11:57 PM"}).tzinfo is UTC


def test_created_at_accepts_the_jump_detail_iso_date():
    assert parse_created_at({"date": "2022-01-01", "time": "10:30 AM"}) == datetime(
        2022, 1, 1, 10, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "value",
    [
        {"date": "31/02/2025", "time": "01:00 PM"},
        {"date": "10/01/2025", "time": "13:00 PM"},
        {"date": "nonsense", "time": "01:00 PM"},
        None,
        42,
    ],
)
def test_created_at_that_cannot_be_read_becomes_none_rather_than_an_exception(value):
    assert parse_created_at(value) is None


def test_the_list_example_parses_into_typed_sessions():
    first, second = parse_sessions(LIST_EXAMPLE)

    assert first.id == "5d5c8d7fcd6945f2936ced84f9a20562"
    assert first.activity == "Weightlifting"
    assert first.title == "new-test-w"
    assert first.user_id == "hWWb9eK3DLWaGHCIs7ltDB8474u1"
    assert first.user_name == "Lee Jhon"
    assert first.exercise == "clean_and_jerk"
    assert first.segments == 10
    assert first.created_at == datetime(2025, 1, 10, 16, 39, tzinfo=UTC)
    assert second.created_at == datetime(2024, 12, 26, 20, 48, tzinfo=UTC)
    assert second.exercise is None


def test_the_filter_example_parses_into_a_page_with_cursors_and_total():
    page = parse_page(FILTER_EXAMPLE)

    assert page.query_count == 111
    assert page.first_doc_id == "5d5c8d7fcd6945f2936ced84f9a20562"
    assert page.last_doc_id == "bd977842e3e64845991b77d78db8b7e9"
    assert [s.id for s in page.sessions] == ["5d5c8d7fcd6945f2936ced84f9a20562"]


def test_unknown_session_keys_are_kept_in_extra_and_raw():
    doc = dict(FILTER_EXAMPLE["sessions"]["5d5c8d7fcd6945f2936ced84f9a20562"], body_joint_angles=["knee"])

    (session,) = parse_sessions({"sessions": {"abc": doc}})

    assert session.extra == {"user_status": "admin", "body_joint_angles": ["knee"]}
    assert session.raw == doc


def test_metrics_and_report_comments_pass_through_untouched_with_unknown_keys():
    comments = {
        "text_summary": {"en": "Summary text in English", "ru": "Summary text in Russian"},
        "text_new": {},
    }
    doc = {"activity": "Weightlifting", "metrics": WEIGHTLIFTING_METRICS, "report_comments": comments}

    (session,) = parse_sessions({"sessions": {"abc": doc}})

    assert session.metrics == WEIGHTLIFTING_METRICS
    assert session.report_comments == comments


def test_a_session_with_no_analysed_video_and_no_metrics_is_processing():
    doc = {"analyzed_video_url": "", "metrics": {}, "segments": 0}

    assert parse_sessions({"sessions": {"a": doc}})[0].status is SessionStatus.PROCESSING


def test_a_session_with_an_analysed_video_or_metrics_is_ready():
    with_video = {"analyzed_video_url": "https://storage.googleapis.com/b/analyzed_video.mp4", "metrics": {}}
    with_metrics = {"analyzed_video_url": "", "metrics": {"speed": [2.9]}}

    statuses = [s.status for s in parse_sessions({"sessions": {"a": with_video, "b": with_metrics}})]

    assert statuses == [SessionStatus.READY, SessionStatus.READY]


@pytest.mark.parametrize("key", ["processing_state", "status", "state"])
def test_a_session_whose_state_field_says_failed_is_failed(key):
    doc = {"analyzed_video_url": "", "metrics": {}, key: "Failed"}

    assert parse_sessions({"sessions": {"a": doc}})[0].status is SessionStatus.FAILED


def test_a_sessions_list_given_as_an_array_is_accepted_too():
    sessions = parse_sessions({"sessions": [{"session_id": "a1", "title": "x"}, {"id": "b2", "title": "y"}]})

    assert [s.id for s in sessions] == ["a1", "b2"]


@pytest.mark.parametrize(
    "body", [[], {"sessions": "nope"}, {"other": {}}, {"sessions": {"a": "not an object"}}]
)
def test_bodies_without_the_documented_shape_are_malformed(body):
    with pytest.raises(MalformedResponse):
        parse_sessions(body)


def test_the_upload_example_parses():
    result = parse_upload({"session_id": "abcd1234efgh5678", "title": "Custom Session"})

    assert (result.session_id, result.title) == ("abcd1234efgh5678", "Custom Session")


def test_the_analysed_video_example_parses():
    body = {"analyzed_video_url": "https://storage.googleapis.com/.../analyzed_video.mp4"}

    assert parse_video_url(body) == "https://storage.googleapis.com/.../analyzed_video.mp4"


def test_error_message_reads_error_then_detail_then_the_raw_text():
    assert error_message({"error": "Invalid date format (expected dd/mm/yyyy)."}) == (
        "Invalid date format (expected dd/mm/yyyy)."
    )
    assert error_message({"detail": "Authentication credentials were not provided."}) == (
        "Authentication credentials were not provided."
    )
    assert error_message(None, "<html>\n  Bad   Gateway</html>") == "<html> Bad Gateway</html>"


@pytest.mark.parametrize(
    ("status", "error_class", "retryable"),
    [
        (400, InvalidRequest, False),
        (422, InvalidRequest, False),
        (401, KeyRejected, False),
        (403, NotPermitted, False),
        (404, NotFound, False),
        (429, ProviderUnavailable, True),
        (500, ProviderUnavailable, True),
        (503, ProviderUnavailable, True),
    ],
)
def test_each_status_maps_to_its_error_and_says_whether_retrying_helps(status, error_class, retryable):
    error = error_for_status(status, "No token provided.")

    assert type(error) is error_class
    assert error.status == status
    assert error.message == "No token provided."
    assert error.retryable is retryable
    assert error.ambiguous is False


def test_a_server_error_after_an_upload_body_was_sent_is_ambiguous():
    error = error_for_status(500, "An unexpected error occurred: boom", body_sent=True)

    assert isinstance(error, UploadOutcomeUnknown)
    assert error.ambiguous and error.retryable


def test_filter_dates_and_update_timestamps_use_the_documented_formats():
    assert format_filter_date(date(2025, 2, 6)) == "06/02/2025"
    assert format_update_timestamp(datetime(2025, 2, 6, 14, 30)) == "2025-02-06 14:30:00"
    assert (
        format_update_timestamp(datetime.fromisoformat("2025-02-06T15:30:00+01:00")) == "2025-02-06 14:30:00"
    )


def test_the_client_sends_both_documented_auth_headers():
    client = AikynetixClient("k-123", base_url="http://sandbox.invalid")
    prepared = client._reads.prepare_request(requests.Request("GET", "http://sandbox.invalid/x"))

    assert prepared.headers["Authorization"] == "API-KEY k-123"
    assert prepared.headers["API-KEY"] == "k-123"
