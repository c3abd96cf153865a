"""The AI on the Ball client against the sandbox: analyses and their results."""

import io
import json

import pytest

from coachportal.providers.aiontheball import InvalidRequest, NotFound, ResultsNotReady
from tests.fixtures.aiontheball_sandbox import poll

MATCH_URL = "https://storage.example.com/matches/riverside-vs-hilltop.mp4"


@pytest.fixture(scope="module")
def finished(aiontheball_sandbox):
    """One analysed match shared by the read-only result tests: (client, video, analysis)."""
    client = aiontheball_sandbox.client(aiontheball_sandbox.create_token("Results club"))
    video = client.create_video(
        MATCH_URL, title="Derby", home_team_name="Riverside", away_team_name="Hilltop"
    )
    analysis = client.create_analysis(video.id)
    analysis, _ = poll(lambda: client.get_analysis(analysis.id), lambda a: a.is_finished)
    yield client, client.get_video(video.id), analysis
    client.close()


def test_register_then_analyse_runs_through_every_state_to_done(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL, title="Flow")
    # The docs allow starting the analysis before the video is ready: it waits for the video.
    analysis = aiontheball_client.create_analysis(video.id)

    done, seen = poll(lambda: aiontheball_client.get_analysis(analysis.id), lambda a: a.is_finished)

    assert analysis.status == "init"
    assert analysis.video_id == video.id
    assert analysis.parameters == {"fps": 25}
    assert seen == ["init", "waiting_for_video", "running", "aggregating", "done"]
    assert (done.progress, done.results_available) == (100, True)
    assert done.video == {"id": video.id, "title": "Flow"}
    refs = aiontheball_client.get_video(video.id).analyses
    assert [(ref.id, ref.status) for ref in refs] == [(analysis.id, "done")]


def test_results_before_the_analysis_is_done_are_not_ready(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)
    analysis = aiontheball_client.create_analysis(video.id)

    with pytest.raises(ResultsNotReady) as caught:
        aiontheball_client.get_summary(analysis.id)

    assert caught.value.status_code == 409
    assert caught.value.retryable is True


def test_an_analysis_of_a_failed_video_is_refused(aiontheball_client):
    video = aiontheball_client.create_video("https://unreachable.example.com/match.mp4")
    poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_failed)

    with pytest.raises(InvalidRequest) as caught:
        aiontheball_client.create_analysis(video.id)

    assert caught.value.status_code == 422
    assert "video" in caught.value.errors


def test_an_analysis_started_early_ends_in_error_when_the_video_fails(aiontheball_client):
    video = aiontheball_client.create_video("https://unreachable.example.com/match.mp4")
    analysis = aiontheball_client.create_analysis(video.id)

    failed, _ = poll(lambda: aiontheball_client.get_analysis(analysis.id), lambda a: a.is_finished)

    assert failed.status == "error"
    assert failed.results_available is False


def test_an_analysis_can_fail_while_running(aiontheball_client):
    video = aiontheball_client.create_video("https://storage.example.com/analysis-error/match.mp4")
    analysis = aiontheball_client.create_analysis(video.id)

    failed, seen = poll(lambda: aiontheball_client.get_analysis(analysis.id), lambda a: a.is_finished)

    assert failed.status == "error"
    assert "running" in seen
    with pytest.raises(InvalidRequest, match="failed"):
        aiontheball_client.get_events(analysis.id)


def test_a_video_trimmed_below_ten_minutes_cannot_be_analysed(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL, start_offset_seconds=0, end_offset_seconds=300)
    poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_ready)

    with pytest.raises(InvalidRequest, match="10 minutes"):
        aiontheball_client.create_analysis(video.id)


def test_an_fps_other_than_25_is_an_invalid_request(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)

    with pytest.raises(InvalidRequest) as caught:
        aiontheball_client.create_analysis(video.id, fps=30)

    assert "fps" in caught.value.errors


def test_an_unknown_analysis_is_not_found(aiontheball_client):
    with pytest.raises(NotFound):
        aiontheball_client.get_analysis(987654321)


def test_the_summary_gives_team_and_player_figures(finished):
    client, video, analysis = finished

    summary = client.get_summary(analysis.id)

    home, away = summary.teams
    assert (home.name, away.name) == ("Riverside", "Hilltop")
    assert home.possession_pct + away.possession_pct + summary.unknown_possession_pct == pytest.approx(
        100, abs=0.5
    )
    assert home.players >= 11
    assert away.players >= 11
    assert all(player.name.startswith(("Riverside #", "Hilltop #")) for player in summary.players)
    # Metres per minute on the pitch: keepers walk about 50, outfield players run 100-125.
    assert all(
        40 < player.total_distance_m / (player.tracking_duration_sec / 60) < 135 for player in summary.players
    )
    assert all(player.max_speed_kmh < 36 for player in summary.players)
    assert summary.video_length_sec == video.duration
    assert len(summary.possession_per_minute) == -(-video.duration // 60)
    assert summary.game_id.endswith(f"_hub-{analysis.id}")


def test_player_ball_actions_add_up_to_the_events(finished):
    client, _, analysis = finished

    summary = client.get_summary(analysis.id)
    events = client.get_events(analysis.id)

    passes = sum(1 for event in events if event.event_type == "pass")
    shots = sum(1 for event in events if event.event_type == "shot")
    assert passes > 100
    assert sum(team.passes for team in summary.teams) == passes
    assert sum(team.shots for team in summary.teams) == shots
    assert summary.match_stats["event_counts"]["pass"] == passes


def test_events_fall_within_the_match_and_can_be_used_to_seek(finished):
    client, video, analysis = finished

    events = client.get_events(analysis.id)

    kinds = {event.event_type for event in events}
    assert {"pass", "shot", "drive", "tackle", "team_possession", "scene", "match_timeline"} <= kinds
    assert all(0 <= event.seconds <= event.end <= video.duration for event in events)
    assert all(event.is_instant for event in events if event.event_type in ("pass", "shot", "tackle"))
    assert set(events[0].raw) == {"start", "end", "label", "event_type"}


def test_results_are_the_same_every_time_for_the_same_video(finished):
    client, video, analysis = finished
    again = client.create_analysis(video.id)
    again, _ = poll(lambda: client.get_analysis(again.id), lambda a: a.is_finished)

    first, second = client.get_events(analysis.id), client.get_events(again.id)

    assert [event.raw for event in first] == [event.raw for event in second]
    assert client.get_summary(analysis.id).players == client.get_summary(again.id).players


def test_the_schema_of_a_current_analysis_lists_data_version_3_filters(finished):
    client, _, analysis = finished

    schema = client.get_schema(analysis.id)

    assert schema.data_version == 3
    assert schema.supports_filter("event_property")
    assert schema.has_frame_state
    assert {"pass", "shot", "tackle"} <= set(schema.event_types)


def test_query_intervals_answers_padded_and_merged_intervals(finished):
    client, video, analysis = finished

    intervals = client.query_intervals(
        analysis.id,
        [{"type": "event_property", "event_type": "shot", "properties": []}],
        pad_sec=5,
        gap_fill_sec=0,
    )
    shots = [event for event in client.get_events(analysis.id) if event.event_type == "shot"]

    assert intervals
    assert all(interval.type == "event_property" for interval in intervals)
    assert intervals[0].start == pytest.approx(max(0, shots[0].seconds - 5))
    assert all(0 <= interval.start < interval.end <= video.duration for interval in intervals)


def test_an_or_query_is_the_union_of_its_filters(finished):
    client, _, analysis = finished
    own = client.query_intervals(analysis.id, [{"type": "team_possession", "teams": ["team_0"]}], pad_sec=0)
    either = client.query_intervals(
        analysis.id,
        [{"type": "team_possession", "teams": ["team_0"]}, {"type": "team_possession", "teams": ["team_1"]}],
        operator="OR",
        pad_sec=0,
    )

    assert sum(i.duration for i in either) > sum(i.duration for i in own)


def test_an_unknown_filter_type_is_an_invalid_request(finished):
    client, _, analysis = finished

    with pytest.raises(InvalidRequest) as caught:
        client.query_intervals(analysis.id, [{"type": "goal_celebration"}])

    assert "filters.0.type" in caught.value.errors


def test_tracking_downloads_as_json_rows(finished):
    client, _, analysis = finished
    buffer = io.BytesIO()

    written = client.download_tracking(analysis.id, buffer, format="json")

    rows = json.loads(buffer.getvalue())
    assert written == len(buffer.getvalue())
    assert {row["role"] for row in rows} >= {"ball", "player", "goal_keeper"}
    assert rows[1]["timestamp"] == 0
    assert all(0 <= row["x"] <= 10500 and 0 <= row["y"] <= 6800 for row in rows)


def test_tracking_as_parquet_is_refused_by_the_sandbox(finished):
    client, _, analysis = finished

    with pytest.raises(InvalidRequest) as caught:
        client.download_tracking(analysis.id, io.BytesIO())

    assert "format" in caught.value.errors
