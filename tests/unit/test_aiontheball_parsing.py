"""Reading the AI on the Ball documentation's JSON examples into typed results."""

import datetime as dt
import json

import pytest

from coachportal.providers.aiontheball import (
    Analysis,
    Event,
    Forbidden,
    Interval,
    InvalidRequest,
    InvalidWebhook,
    NotFound,
    ProviderUnavailable,
    ResultsNotReady,
    Schema,
    Summary,
    TokenRejected,
    UnexpectedResponse,
    Video,
    VideoPage,
    error_for_status,
    parse_webhook,
    verify_webhook,
)

LIST_VIDEOS = {
    "data": [
        {
            "id": 789,
            "status": "available",
            "game_name": "happy-dolphin-42",
            "title": "Team A vs Team B - League Match",
            "created_at": "2025-01-15T10:00:00Z",
            "home_team_name": "Team A",
            "away_team_name": "Team B",
            "duration": 5400,
            "analyses": [{"id": 1246, "status": "done"}],
        }
    ],
    "links": {},
    "meta": {},
}

GET_VIDEO = {
    "data": {
        "id": 789,
        "status": "available",
        "game_name": "happy-dolphin-42",
        "title": "Team A vs Team B - League Match",
        "created_at": "2025-01-15T10:00:00Z",
        "home_team_name": "Team A",
        "away_team_name": "Team B",
        "duration": 5400,
        "mp4_source": "https://cdn.example.com/videos/789.mp4",
        "analyses": [{"id": 1246, "status": "done"}],
    }
}

CREATE_ANALYSIS = {
    "data": {
        "id": 1247,
        "video_id": 789,
        "status": "init",
        "algorithm_version": "0.4.98",
        "parameters": {"fps": 25},
        "created_at": "2025-01-16T14:35:00Z",
        "results_available": False,
        "progress": 0,
        "video": {"id": 789, "title": "Team A vs Team B"},
    }
}

EVENTS = [
    {"start": 0.04, "end": 20.36, "label": "Team A", "event_type": "team_possession"},
    {"start": 0.00, "end": 3.00, "label": "not analysable", "event_type": "scene"},
    {"start": 3.04, "end": 2700.00, "label": "analysable", "event_type": "scene"},
    {"start": 0.00, "end": 5400.00, "label": "full_game", "event_type": "match_timeline"},
    {"start": 617.92, "end": 617.92, "label": "pass", "event_type": "pass"},
    {"start": 700.20, "end": 700.20, "label": "tackle", "event_type": "tackle"},
    {"start": 0.04, "end": 617.88, "label": "in_play", "event_type": "ball_phase"},
]

SUMMARY = {
    "metadata": {
        "game_id": "2025-01-15_hub-1246",
        "game_date": "2025-01-15",
        "version": "0.4.98",
        "generated_at": "2025-01-20T14:30:00.000Z",
        "video_length_sec": 5425.5,
    },
    "teams": {"team_0_name": "Team A", "team_1_name": "Team B"},
    "match_stats": {
        "event_counts": {"team_possession": 245, "player_possession": 1830, "scene": 12, "match_timeline": 1},
        "total_durations_sec": {
            "team_possession": 5280.5,
            "player_possession": 4920.3,
            "scene": 5400.0,
            "match_timeline": 5400.0,
        },
        "analysable_duration_sec": 5320.0,
        "non_analysable_duration_sec": 80.0,
    },
    "possession": {
        "summary": {
            "team_0": {"seconds": 2750.5, "pct": 52.1},
            "team_1": {"seconds": 2120.0, "pct": 40.2},
            "unknown": {"seconds": 410.0, "pct": 7.7},
        },
        "per_minute": [{"minute": 0, "team_0_pct": 58.67, "team_1_pct": 33.5, "unknown_pct": 7.83}],
    },
    "players": [
        {
            "player_id": "0-10",
            "team_id": "team_0",
            "jersey_number": 10,
            "name": "Team A #10",
            "stats": {
                "total_distance_m": 10542.5,
                "distance_by_speed_bucket": {
                    "walking_m": 3200.0,
                    "jogging_m": 4500.0,
                    "running_m": 2200.0,
                    "sprinting_m": 642.5,
                },
                "avg_speed_kmh": 7.2,
                "max_speed_kmh": 32.1,
                "tracking_duration_sec": 5280.0,
                "ball_actions": {"passes": 12, "drives": 8, "shots": 2},
            },
        }
    ],
}

SCHEMA_V3 = {
    "data_version": 3,
    "engine_version": "latest",
    "event_types": {
        "pass": {
            "summary": "A deliberate attempt to deliver the ball to a teammate....",
            "properties": [
                {"name": "body_part", "type": "str", "enum": ["head", "both_hands", "unknown"]},
                {"name": "confidence_detection", "type": "float32"},
                {"name": "confidence_event", "type": "float32"},
            ],
        }
    },
    "filters": [
        {"type": "team_possession", "description": "..."},
        {"type": "event_property", "description": "..."},
        {"type": "frame_state", "description": "..."},
    ],
    "frame_state": {
        "available": True,
        "columns": [{"name": "timestamp", "type": "int32", "description": "..."}],
    },
}

DONE_WEBHOOK = {
    "event": "analysis_done",
    "analysis_id": "01234567-89ab-cdef-0123-456789abcdef",
    "status": "done",
    "completion_rate": 100,
}
RATE_WEBHOOK = {
    "event": "analysis_completion_rate",
    "analysis_id": "01234567-89ab-cdef-0123-456789abcdef",
    "status": "running",
    "completion_rate": 45,
}
WEBHOOK_HEADERS = {"Content-Type": "application/json", "User-Agent": "AI-on-the-ball"}


def test_the_video_list_example_reads_into_videos_with_their_analyses():
    page = VideoPage.from_json(LIST_VIDEOS)

    (video,) = page.videos
    assert video.id == 789
    assert video.game_name == "happy-dolphin-42"
    assert video.duration == 5400
    assert video.created_at == dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)
    assert video.is_ready
    assert [(ref.id, ref.status) for ref in video.analyses] == [(1246, "done")]


def test_a_list_whose_links_and_meta_are_empty_has_no_next_page():
    page = VideoPage.from_json(LIST_VIDEOS)

    assert page.next_url is None
    assert page.has_next is False
    assert page.total is None


def test_a_laravel_style_page_reports_its_next_page():
    body = {
        **LIST_VIDEOS,
        "links": {"next": "https://aiontheball.nl/api/v1/videos?page=2"},
        "meta": {"current_page": 1, "last_page": 3, "per_page": 1, "total": 3},
    }

    page = VideoPage.from_json(body)

    assert page.has_next
    assert page.next_url == "https://aiontheball.nl/api/v1/videos?page=2"
    assert (page.current_page, page.last_page, page.total) == (1, 3, 3)


def test_a_single_video_keeps_its_mp4_source_and_raw_dict():
    video = Video.from_json(GET_VIDEO["data"])

    assert video.mp4_source == "https://cdn.example.com/videos/789.mp4"
    assert video.raw is GET_VIDEO["data"]
    assert video.extra == {}


def test_the_quick_starts_created_status_counts_as_pending():
    video = Video.from_json(
        {"id": 789, "status": "created", "game_name": "swift-eagle-43", "created_at": "2025-02-08T10:00:00Z"}
    )

    assert video.is_pending
    assert not video.is_ready
    assert not video.is_failed


@pytest.mark.parametrize("status", ["error", "no_match_detected"])
def test_error_and_no_match_detected_are_failed_videos(status):
    assert Video.from_json({"id": 1, "status": status}).is_failed


def test_unknown_video_keys_are_kept_as_extra():
    video = Video.from_json({"id": 1, "status": "available", "thumbnail_url": "https://x/1.jpg"})

    assert video.extra == {"thumbnail_url": "https://x/1.jpg"}


def test_the_create_analysis_example_reads_into_an_analysis():
    analysis = Analysis.from_json(CREATE_ANALYSIS["data"])

    assert (analysis.id, analysis.video_id, analysis.status) == (1247, 789, "init")
    assert analysis.algorithm_version == "0.4.98"
    assert analysis.parameters == {"fps": 25}
    assert analysis.results_available is False
    assert analysis.progress == 0
    assert not analysis.is_finished


def test_the_quick_starts_short_analysis_reads_too():
    analysis = Analysis.from_json({"id": 1247, "video_id": 789, "status": "done", "progress": 100})

    assert analysis.is_done
    assert analysis.results_available is True
    assert analysis.video == {}


def test_the_events_example_reads_with_seconds_for_seeking():
    events = Event.list_from_json(EVENTS)

    assert len(events) == 7
    passes = [event for event in events if event.event_type == "pass"]
    assert passes[0].seconds == pytest.approx(617.92)
    assert passes[0].is_instant
    assert events[2].duration == pytest.approx(2696.96)


def test_events_wrapped_in_data_are_accepted_too():
    assert len(Event.list_from_json({"data": EVENTS})) == 7


def test_an_event_without_a_start_is_an_unexpected_response():
    with pytest.raises(UnexpectedResponse):
        Event.list_from_json([{"label": "pass", "event_type": "pass"}])


def test_the_summary_example_gives_team_and_player_figures():
    summary = Summary.from_json(SUMMARY)

    assert summary.game_id == "2025-01-15_hub-1246"
    assert summary.game_date == dt.date(2025, 1, 15)
    assert summary.video_length_sec == 5425.5
    team_a, team_b = summary.teams
    assert (team_a.team_id, team_a.name, team_a.possession_pct) == ("team_0", "Team A", 52.1)
    assert (team_b.name, team_b.possession_seconds) == ("Team B", 2120.0)
    assert (team_a.passes, team_a.drives, team_a.shots, team_a.players) == (12, 8, 2, 1)
    assert summary.unknown_possession_pct == 7.7
    (player,) = summary.players
    assert (player.player_id, player.jersey_number, player.name) == ("0-10", 10, "Team A #10")
    assert player.total_distance_m == 10542.5
    assert player.distance_by_speed_bucket["sprinting_m"] == 642.5
    assert summary.possession_per_minute[0]["team_0_pct"] == 58.67


def test_a_summary_with_top_level_possession_per_minute_is_read_too():
    body = {**SUMMARY, "possession": {"summary": SUMMARY["possession"]["summary"]}}
    body["possession_per_minute"] = [{"minute": 0, "team_0_pct": 50.0, "team_1_pct": 50.0, "unknown_pct": 0}]

    assert Summary.from_json(body).possession_per_minute[0]["team_0_pct"] == 50.0


def test_a_goalkeeper_without_a_readable_number_keeps_gk():
    body = {**SUMMARY, "players": [{"player_id": "0-GK", "team_id": "team_0", "jersey_number": "GK"}]}

    (keeper,) = Summary.from_json(body).players
    assert keeper.jersey_number == "GK"
    assert keeper.passes is None


def test_the_schema_example_lists_its_filters():
    schema = Schema.from_json(SCHEMA_V3)

    assert schema.data_version == 3
    assert schema.supports_filter("event_property")
    assert not schema.supports_filter("ball_location")
    assert schema.has_frame_state
    assert "pass" in schema.event_types


def test_a_minimal_data_version_2_schema_supports_no_filters():
    schema = Schema.from_json({"data_version": 2, "engine_version": "latest"})

    assert schema.data_version == 2
    assert schema.filter_types == []
    assert not schema.has_frame_state


def test_query_intervals_read_with_their_type():
    intervals = Interval.list_from_json(
        [
            {"start": 125.5, "end": 142.3, "label": "Team A", "type": "team_possession"},
            {"start": 380.2, "end": 395.8, "label": "Team A", "type": "team_possession"},
        ]
    )

    assert [(i.start, i.type) for i in intervals] == [(125.5, "team_possession"), (380.2, "team_possession")]
    assert intervals[0].duration == pytest.approx(16.8)


@pytest.mark.parametrize(
    ("status", "error_class", "retryable"),
    [
        (400, InvalidRequest, False),
        (422, InvalidRequest, False),
        (401, TokenRejected, False),
        (403, Forbidden, False),
        (404, NotFound, False),
        (409, ResultsNotReady, True),
        (429, ProviderUnavailable, True),
        (500, ProviderUnavailable, True),
        (503, ProviderUnavailable, True),
    ],
)
def test_each_error_status_maps_to_its_error_and_says_whether_to_retry(status, error_class, retryable):
    error = error_for_status(status, {"message": "Nope."})

    assert isinstance(error, error_class)
    assert error.retryable is retryable
    assert error.status_code == status
    assert error.message == "Nope."


def test_a_laravel_validation_body_keeps_its_field_errors():
    body = {
        "message": "The video file url field is required.",
        "errors": {"video_file_url": ["The video file url field is required."]},
    }

    error = error_for_status(422, body)

    assert error.errors == {"video_file_url": ["The video file url field is required."]}
    assert str(error) == "The video file url field is required."


def test_an_error_body_that_is_not_json_falls_back_to_a_default_message():
    error = error_for_status(502, "<html>Bad gateway</html>", default_message="AI on the Ball answered 502.")

    assert error.message == "AI on the Ball answered 502."


def test_both_documented_webhook_payloads_pass_verification():
    done = verify_webhook(
        WEBHOOK_HEADERS,
        b'{"event": "analysis_done", "analysis_id": "01234567-89ab-cdef-0123-'
        b'456789abcdef", "status": "done", "completion_rate": 100}',
    )
    rate = parse_webhook(RATE_WEBHOOK)

    assert (done.event, done.status, done.completion_rate, done.is_final) == (
        "analysis_done",
        "done",
        100,
        True,
    )
    assert done.analysis_number is None
    assert (rate.status, rate.completion_rate, rate.is_final) == ("running", 45, False)


def test_a_webhook_with_an_integer_analysis_id_maps_to_the_rest_id():
    assert parse_webhook({**DONE_WEBHOOK, "analysis_id": 1247}).analysis_number == 1247


def test_a_webhook_from_another_user_agent_is_rejected():
    with pytest.raises(InvalidWebhook, match="User-Agent"):
        verify_webhook({"Content-Type": "application/json", "User-Agent": "curl/8"}, b"{}")


def test_a_done_webhook_carrying_a_progress_status_is_rejected():

    with pytest.raises(InvalidWebhook, match="does not belong"):
        verify_webhook(WEBHOOK_HEADERS, json.dumps({**DONE_WEBHOOK, "status": "running"}))


def test_a_completion_rate_above_100_is_rejected():

    with pytest.raises(InvalidWebhook, match="completion_rate"):
        verify_webhook(WEBHOOK_HEADERS, json.dumps({**RATE_WEBHOOK, "completion_rate": 140}))


def test_a_webhook_body_that_is_not_json_is_rejected():
    with pytest.raises(InvalidWebhook, match="not JSON"):
        verify_webhook(WEBHOOK_HEADERS, b"event=analysis_done")
