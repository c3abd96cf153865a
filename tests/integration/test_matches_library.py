"""Matches in the library beside AiKYNETIX sessions; every match page stays inside its organization."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

import hashlib

import pytest

from coachportal.matches.library import upsert_session
from coachportal.matches.models import Match, WebhookEndpoint
from coachportal.sessions.models import Session

SUMMARY = {
    "metadata": {"version": "0.5.12", "video_length_sec": 600.0},
    "teams": {"team_0_name": "Riverside", "team_1_name": "Hilltop"},
    "possession": {
        "summary": {
            "team_0": {"seconds": 300, "pct": 52.0},
            "team_1": {"seconds": 240, "pct": 41.0},
            "unknown": {"seconds": 60, "pct": 7.0},
        }
    },
    "players": [
        {
            "player_id": "0-10",
            "team_id": "team_0",
            "jersey_number": 10,
            "name": "Riverside #10",
            "stats": {
                "total_distance_m": 1234.5,
                "avg_speed_kmh": 7.4,
                "max_speed_kmh": 30.2,
                "distance_by_speed_bucket": {"sprinting_m": 88.0},
                "ball_actions": {"passes": 9, "drives": 2, "shots": 1},
            },
        },
        {
            "player_id": "1-7",
            "team_id": "team_1",
            "jersey_number": 7,
            "name": "Hilltop #7",
            "stats": {"total_distance_m": 999.0, "ball_actions": {"passes": 4, "drives": 0, "shots": 0}},
        },
    ],
}
EVENTS = [
    {"start": 0.0, "end": 600.0, "label": "full_game", "event_type": "match_timeline"},
    {"start": 61.5, "end": 61.5, "label": "pass", "event_type": "pass"},
    {"start": 125.25, "end": 125.25, "label": "shot", "event_type": "shot"},
    {"start": 300.0, "end": 300.0, "label": "tackle", "event_type": "tackle"},
]


def finished_match(org, title="Derby", video_id="1000"):
    match = Match.objects.create(
        organization=org, title=title, home_team="Riverside", away_team="Hilltop", source="url",
        video_url="https://cdn.example.com/derby.mp4", provider_video_id=video_id, video_status="available",
        mp4_url="https://cdn.example.com/derby-720.mp4", analysis_id="5000", analysis_status="done",
        analysis_progress=100, summary=SUMMARY, events=EVENTS,
    )  # fmt: skip
    match.phase = match.derive_phase()
    match.save()
    upsert_session(match)
    return match


@pytest.fixture
def mixed_library(org_a):
    Session.objects.create(organization=org_a, provider="aikynetix", external_id="k-1", activity="running",
                           title="Tempo run", status="ready")  # fmt: skip
    Session.objects.create(organization=org_a, provider="aikynetix", external_id="k-2", activity="jumping",
                           title="Box jumps", status="processing")  # fmt: skip
    return finished_match(org_a)


def titles(response):
    return [row.title for row in response.context["rows"]]


def test_a_match_is_a_library_row_with_activity_match(client_for, chloe, org_a, mixed_library):
    client = client_for(chloe)
    everything = client.get(f"/o/{org_a.slug}/sessions/")
    assert sorted(titles(everything)) == ["Box jumps", "Derby", "Tempo run"]
    html = everything.content.decode()
    assert "Riverside – Hilltop" in html
    assert '<option value="match">Match</option>' in html
    assert titles(client.get(f"/o/{org_a.slug}/sessions/?activity=match")) == ["Derby"]
    assert titles(client.get(f"/o/{org_a.slug}/sessions/?activity=running")) == ["Tempo run"]
    assert titles(client.get(f"/o/{org_a.slug}/sessions/?status=ready&q=der")) == ["Derby"]
    assert titles(client.get(f"/o/{org_a.slug}/sessions/?status=processing")) == ["Box jumps"]


def test_the_library_row_of_a_match_leads_to_the_match_page(client_for, chloe, org_a, mixed_library):
    session = Session.objects.get(provider="aiontheball")
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/{session.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/matches/{mixed_library.pk}/"


def test_the_match_page_shows_video_summary_and_timeline(client_for, chloe, org_a, mixed_library):
    response = client_for(chloe).get(f"/o/{org_a.slug}/matches/{mixed_library.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="https://cdn.example.com/derby-720.mp4"' in html
    tables = response.context["tables"]
    assert [t["name"] for t in tables["teams"]] == ["Riverside", "Hilltop"]
    assert tables["teams"][0]["possession_pct"] == "52.0" and tables["teams"][0]["shots"] == 1
    assert tables["teams"][0]["player_rows"][0]["distance_km"] == "1.23"
    # Key moments by default; every event one choice away.
    assert [(e.clock, e.kind) for e in response.context["events"]] == [("02:05", "shot"), ("05:00", "tackle")]
    assert 'data-seek="125.25"' in html
    every = client_for(chloe).get(f"/o/{org_a.slug}/matches/{mixed_library.pk}/?events=all",
                                  headers={"HX-Request": "true", "HX-Target": "timeline"})  # fmt: skip
    assert "<html" not in every.content.decode()
    assert every.content.decode().count("data-seek=") == 4
    assert "Register match" not in client_for(chloe).get(f"/o/{org_a.slug}/matches/").content.decode()


def test_a_finished_match_stops_the_status_polling(client_for, chloe, org_a, mixed_library):
    response = client_for(chloe).get(
        f"/o/{org_a.slug}/matches/{mixed_library.pk}/status/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 286
    assert "hx-trigger" not in response.content.decode()


def test_another_organizations_match_is_a_404(client_for, bruno, olivia, org_a, org_b, mixed_library):
    theirs = finished_match(org_b, title="Hilltop cup", video_id="2000")
    client = client_for(bruno)
    for path in ("", "status/"):
        assert client.get(f"/o/{org_a.slug}/matches/{mixed_library.pk}/{path}").status_code == 404
        # Even through their own organization's address, org A's match does not exist for them.
        assert client.get(f"/o/{org_b.slug}/matches/{mixed_library.pk}/{path}").status_code == 404
    assert client.get(f"/o/{org_b.slug}/matches/{theirs.pk}/").status_code == 200
    client = client_for(olivia)
    assert client.get(f"/o/{org_a.slug}/matches/{theirs.pk}/").status_code == 404
    assert client.post(f"/o/{org_a.slug}/matches/{theirs.pk}/retry/").status_code == 404
    assert [m.title for m in client.get(f"/o/{org_a.slug}/matches/").context["matches"]] == ["Derby"]


def test_a_coach_cannot_retry_or_rotate_the_webhook(client_for, chloe, org_a, mixed_library):
    client = client_for(chloe)
    assert client.post(f"/o/{org_a.slug}/matches/{mixed_library.pk}/retry/").status_code == 403
    assert client.post(f"/o/{org_a.slug}/matches/webhook/rotate/").status_code == 403


def test_a_manager_sees_the_webhook_address_once_and_only_its_last_four_afterwards(client_for, adam, org_a):
    client = client_for(adam)
    assert client.get(f"/o/{org_a.slug}/matches/").context["webhook_hint"] == ""  # none made yet
    made = client.post(f"/o/{org_a.slug}/matches/webhook/rotate/")
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    first = made.context["webhook_url"]
    assert first.startswith(f"http://testserver/aiontheball/webhook/{org_a.slug}/")
    secret = first.rstrip("/").rsplit("/", 1)[1]
    assert len(secret) >= 40 and first in made.text
    listed = client.get(f"/o/{org_a.slug}/matches/")
    assert secret not in listed.text
    assert (
        listed.context["webhook_hint"]
        == f"http://testserver/aiontheball/webhook/{org_a.slug}/…{secret[-4:]}/"
    )
    endpoint = WebhookEndpoint.objects.get(organization=org_a)
    assert secret not in {endpoint.secret_hash, endpoint.secret_last4}  # only a hash is stored
    assert endpoint.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    second = client.post(f"/o/{org_a.slug}/matches/webhook/rotate/").context["webhook_url"]
    assert second != first
    assert (
        client.post(
            first.removeprefix("http://testserver"), data="{}", content_type="application/json"
        ).status_code
        == 404
    )
