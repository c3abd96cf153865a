"""An organization that already uses AI on the Ball sees its existing matches: the sync mirrors every video of
the token's organization (over real HTTP, against the sandbox) into matches and library rows."""
# ruff: noqa: RUF001 (en dashes are the typography people read)

import pytest
from django.core.management import call_command

from coachportal.matches.history import sync_history
from coachportal.matches.models import Match
from coachportal.matches.sync import poll_match
from coachportal.organizations import credentials
from coachportal.organizations.demo import DEMO_KEYS, load_demo_people
from coachportal.organizations.models import Provider
from coachportal.sandbox.aiontheball.demo import DEMO_MATCHES
from coachportal.sessions.models import Session, SyncState
from coachportal.sessions.tasks import sync_sessions
from tests.fixtures.aiontheball_sandbox import poll, running_sandbox

pytestmark = pytest.mark.django_db

MATCH_URL = "https://storage.example.com/matches/{}.mp4"


@pytest.fixture
def api(org_a, aiontheball_sandbox, aiontheball_token, settings):
    """The organization's AI on the Ball token, saved as its key; the client plays the provider's own app."""
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    # Two videos a page: the sync must follow the list's pages.
    aiontheball_sandbox.set_page_size(2)
    with aiontheball_sandbox.client(aiontheball_token) as client:
        yield client


@pytest.fixture
def existing_videos(api):
    """Three videos registered at AI on the Ball before the portal: the last one analysed."""
    videos = [
        api.create_video(MATCH_URL.format(slug), title=title, home_team_name=home, away_team_name=away)
        for slug, title, home, away in [
            ("cup", "Cup round 1", "Riverside", "Hilltop"),
            ("league", "League week 3", "Lakeside", "Riverside"),
            ("final", "County final", "Riverside", "Valley"),
        ]
    ]
    analysis = api.create_analysis(videos[2].id)
    poll(lambda: api.get_analysis(analysis.id), lambda a: a.is_done, timeout=30)
    poll(lambda: [api.get_video(v.id) for v in videos], lambda vs: all(v.is_ready for v in vs), timeout=30)
    return videos


def library_titles(client, org, query=""):
    return sorted(row.title for row in client.get(f"/o/{org.slug}/sessions/{query}").context["rows"])


@pytest.mark.slow
def test_three_existing_videos_show_as_three_matches_after_the_first_sync(
    org_a, existing_videos, client_for, chloe
):
    result = sync_history(org_a)

    assert (result.outcome, result.created) == ("done", 3)
    matches = {match.title: match for match in Match.objects.for_org(org_a)}
    assert sorted(matches) == ["County final", "Cup round 1", "League week 3"]
    assert {match.source for match in matches.values()} == {Match.Source.PROVIDER}
    assert not any(match.file for match in matches.values())
    final = matches["County final"]
    assert final.phase == Match.Phase.DONE
    assert final.summary["teams"] == {"team_0_name": "Riverside", "team_1_name": "Valley"}
    assert final.events and final.analysis_progress == 100
    assert matches["Cup round 1"].phase == Match.Phase.NOT_ANALYSED
    # The library lists them as Match rows, like matches registered through the portal.
    client = client_for(chloe)
    everything = ["County final", "Cup round 1", "League week 3"]
    assert library_titles(client, org_a) == everything
    assert library_titles(client, org_a, "?activity=match") == everything
    assert library_titles(client, org_a, "?status=processing") == []
    page = client.get(f"/o/{org_a.slug}/sessions/").content.decode()
    assert "Riverside – Valley" in page
    row = Session.objects.get(organization=org_a, external_id=str(existing_videos[2].id))
    assert (row.activity, row.status) == ("match", "ready")
    assert row.key_metrics["Possession"]
    detail = client.get(f"/o/{org_a.slug}/sessions/{row.pk}/", follow=True)
    assert detail.redirect_chain[-1][0] == f"/o/{org_a.slug}/matches/{final.pk}/"
    assert "County final" in detail.content.decode()
    listed = client.get(f"/o/{org_a.slug}/matches/").content.decode()
    assert "Cup round 1" in listed and "Not started" in listed
    idle = client.get(f"/o/{org_a.slug}/matches/{matches['Cup round 1'].pk}/")
    assert idle.status_code == 200 and "Video ready" in idle.content.decode()


def test_a_second_sync_adds_no_duplicates_and_asks_nothing_more_of_finished_analyses(
    org_a, existing_videos, aiontheball_sandbox
):
    sync_history(org_a)
    # Results already mirrored are not asked for again: a failing summary endpoint changes nothing.
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=500, path_contains="/summary")

    again = sync_history(org_a)

    assert (again.outcome, again.created, again.updated) == ("done", 0, 0)
    assert Match.objects.for_org(org_a).count() == 3
    assert Session.objects.for_org(org_a).visible().count() == 3


def test_a_video_deleted_at_the_provider_disappears_at_the_next_full_sync(
    org_a, api, existing_videos, client_for, chloe
):
    sync_history(org_a)
    api.delete_video(existing_videos[0].id)

    sync_history(org_a)  # incremental: deletions wait for the full sync
    assert Match.objects.for_org(org_a).count() == 3
    result = sync_history(org_a, full=True)

    assert (result.outcome, result.deleted) == ("done", 1)
    assert sorted(Match.objects.for_org(org_a).values_list("title", flat=True)) == [
        "County final",
        "League week 3",
    ]
    assert library_titles(client_for(chloe), org_a) == ["County final", "League week 3"]
    gone = Session.objects.get(organization=org_a, external_id=str(existing_videos[0].id))
    assert gone.status == Session.Status.DELETED


@pytest.mark.slow
def test_a_provider_error_mid_sync_loses_nothing_already_mirrored(
    org_a, api, existing_videos, aiontheball_sandbox
):
    sync_history(org_a)
    api.delete_video(existing_videos[0].id)
    aiontheball_sandbox.set_page_size(1)
    # The first page answers, every later request fails: the walk breaks off halfway.
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=500, pass_first=1)

    broken = sync_history(org_a, full=True)

    assert broken.outcome == "failed"
    assert "could not be read" in broken.error
    # Nothing was deleted on the strength of a list read only in part; the results are still there.
    assert Match.objects.for_org(org_a).count() == 3
    assert Match.objects.get(organization=org_a, title="County final").summary is not None
    state = SyncState.objects.get(organization=org_a, provider=Provider.AIONTHEBALL)
    assert state.failed_last_time
    aiontheball_sandbox.reset_faults()
    assert sync_history(org_a, full=True).deleted == 1
    assert Match.objects.for_org(org_a).count() == 2


@pytest.mark.slow
def test_a_first_sync_broken_off_keeps_the_videos_it_reached_and_the_next_one_finishes(
    org_a, existing_videos, aiontheball_sandbox
):
    # The analysed video is on the second page; its summary cannot be read this time.
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=500, path_contains="/summary")

    assert sync_history(org_a).outcome == "failed"
    assert Match.objects.for_org(org_a).count() == 3
    final = Match.objects.get(organization=org_a, title="County final")
    assert (final.analysis_status, final.summary, final.phase) == ("done", None, Match.Phase.ANALYSING)

    aiontheball_sandbox.reset_faults()
    assert sync_history(org_a).outcome == "done"
    final.refresh_from_db()
    assert final.phase == Match.Phase.DONE and final.summary and final.events
    assert Match.objects.for_org(org_a).count() == 3


def test_the_portal_never_starts_an_analysis_of_a_mirrored_video(org_a, api, existing_videos):
    sync_history(org_a)
    match = Match.objects.get(organization=org_a, title="Cup round 1")
    Match.objects.filter(pk=match.pk).update(phase=Match.Phase.VIDEO)  # as if followed while downloading
    match.refresh_from_db()

    poll_match(match)

    assert api.get_video(existing_videos[0].id).analyses == []
    assert match.phase == Match.Phase.NOT_ANALYSED


def test_a_match_registered_through_the_portal_is_not_mirrored_twice(org_a, api, existing_videos):
    portal = Match.objects.create(
        organization=org_a, title="Cup round 1", home_team="Riverside", away_team="Hilltop", source="url",
        video_url=MATCH_URL.format("cup"), provider_video_id=str(existing_videos[0].id),
        video_status="available", phase="analysing",
    )  # fmt: skip

    result = sync_history(org_a)

    assert result.created == 2
    assert Match.objects.for_org(org_a).count() == 3
    portal.refresh_from_db()
    assert portal.source == Match.Source.URL


def test_a_video_a_portal_registration_may_be_creating_is_left_to_that_registration(org_a, existing_videos):
    # Registered through the portal; the answer with the provider's id has not arrived yet.
    registering = Match.objects.create(
        organization=org_a, title="Cup round 1", home_team="Riverside", away_team="Hilltop", source="url",
        video_url=MATCH_URL.format("cup"), register_claimed_at=existing_videos[0].created_at,
    )  # fmt: skip
    Match.objects.filter(pk=registering.pk).update(created_at=existing_videos[0].created_at)

    result = sync_history(org_a)

    assert result.created == 2
    assert not Match.objects.filter(organization=org_a, provider_video_id=str(existing_videos[0].id)).exists()


def test_the_scheduled_command_mirrors_matches_of_an_organization_with_only_an_ai_on_the_ball_key(
    org_a, existing_videos
):
    class Out:
        text = ""

        def write(self, value):
            self.text += value

    out = Out()
    call_command("sync_sessions", stdout=out)

    assert f"{org_a.slug} matches: done (new 3" in out.text
    assert Match.objects.for_org(org_a).count() == 3


@pytest.mark.slow
def test_the_demo_organization_shows_its_matches_after_the_first_sync(settings, tmp_path, client_for):
    with running_sandbox(tmp_path / "demo", demo=True) as sandbox:
        settings.AIONTHEBALL_BASE_URL = sandbox.base_url
        org = load_demo_people()
        credentials.save_key(
            org, Provider.AIONTHEBALL, api_key=DEMO_KEYS[Provider.AIONTHEBALL], label="demo", actor=None
        )

        sync_sessions.call(org.pk, True)  # what seed_demo queues for the worker

    matches = Match.objects.for_org(org)
    assert sorted(matches.values_list("title", flat=True)) == sorted(m.title for m in DEMO_MATCHES)
    assert all(match.phase == Match.Phase.DONE and match.summary for match in matches)
    owner = org.memberships.get(role="owner").user
    titles = library_titles(client_for(owner), org, "?activity=match")
    assert titles == sorted(m.title for m in DEMO_MATCHES)
