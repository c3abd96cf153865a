"""The AI on the Ball sandbox's demo data, persistence across restarts and production guard."""

import pytest
from django.core.management import CommandError, call_command

from coachportal.sandbox.aiontheball.demo import DEMO_ANALYSIS_IDS, DEMO_MATCHES, DEMO_TOKEN, DEMO_VIDEO_IDS
from tests.fixtures.aiontheball_sandbox import poll, running_sandbox

pytestmark = pytest.mark.slow  # each test starts its own sandboxes

MATCH_URL = "https://storage.example.com/matches/riverside-vs-hilltop.mp4"


@pytest.fixture(scope="module")
def demo_sandbox(tmp_path_factory):
    with running_sandbox(tmp_path_factory.mktemp("aiontheball-demo") / "data", demo=True) as sandbox:
        yield sandbox


def test_the_demo_token_sees_two_analysed_matches(demo_sandbox):
    client = demo_sandbox.client(DEMO_TOKEN)

    videos = list(client.iter_videos())

    assert [video.id for video in videos] == list(DEMO_VIDEO_IDS)
    assert all(video.is_ready for video in videos)
    assert [video.analyses[0].id for video in videos] == list(DEMO_ANALYSIS_IDS)
    assert all(client.get_analysis(analysis_id).is_done for analysis_id in DEMO_ANALYSIS_IDS)


def test_the_demo_summary_names_the_demo_teams(demo_sandbox):
    client = demo_sandbox.client(DEMO_TOKEN)
    match = DEMO_MATCHES[0]

    summary = client.get_summary(match.analysis_id)

    assert [team.name for team in summary.teams] == [match.home_team_name, match.away_team_name]
    assert str(summary.game_date) == match.date.isoformat()


def test_the_older_demo_analysis_has_a_minimal_schema_and_no_tackles(demo_sandbox):
    client = demo_sandbox.client(DEMO_TOKEN)
    older = DEMO_MATCHES[1]

    schema = client.get_schema(older.analysis_id)
    kinds = {event.event_type for event in client.get_events(older.analysis_id)}

    assert schema.data_version == 2
    assert schema.filter_types == []
    assert "pass" in kinds
    assert "tackle" not in kinds


def test_the_demo_data_is_the_same_in_every_demo_sandbox(demo_sandbox, tmp_path):
    with running_sandbox(tmp_path / "data", demo=True) as other:
        ours = demo_sandbox.client(DEMO_TOKEN).get_events(DEMO_ANALYSIS_IDS[0])
        theirs = other.client(DEMO_TOKEN).get_events(DEMO_ANALYSIS_IDS[0])

    assert [event.raw for event in ours] == [event.raw for event in theirs]


def test_reset_in_demo_mode_brings_back_only_the_demo(demo_sandbox):
    client = demo_sandbox.client(DEMO_TOKEN)
    client.create_video(MATCH_URL)

    demo_sandbox.reset()

    assert [video.id for video in client.iter_videos()] == list(DEMO_VIDEO_IDS)


def test_videos_and_tokens_survive_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    with running_sandbox(data_dir) as sandbox:
        token = sandbox.create_token("Persistent club")
        client = sandbox.client(token)
        video = client.create_video(MATCH_URL, title="Before restart")
        analysis = client.create_analysis(video.id)
        poll(lambda: client.get_analysis(analysis.id), lambda a: a.is_done)

    with running_sandbox(data_dir) as restarted:
        client = restarted.client(token)
        assert client.get_video(video.id).title == "Before restart"
        assert client.get_analysis(analysis.id).is_done
        assert client.create_video(MATCH_URL).id > video.id


def test_the_management_command_refuses_production_settings(settings):
    settings.DEBUG = False
    settings.SANDBOX_ALLOWED = False

    with pytest.raises(CommandError, match="development, demos and tests only"):
        call_command("aiontheball_sandbox", "--port", "0")
