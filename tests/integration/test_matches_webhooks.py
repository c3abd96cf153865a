"""AI on the Ball's webhook: verified by the secret in the URL, applied once, never going backwards."""

import json
import time

import pytest

from coachportal.matches.models import Match, WebhookEndpoint, WebhookReceipt
from coachportal.matches.sync import poll_match
from coachportal.organizations import credentials
from tests.fixtures.aiontheball_sandbox import poll

HEADERS = {"User-Agent": "AI-on-the-ball"}


def secret_of(org):
    """The organization's webhook secret, made once per test (the portal keeps only its hash)."""
    if not hasattr(org, "test_webhook_secret"):
        org.test_webhook_secret = WebhookEndpoint.rotate(org)
    return org.test_webhook_secret


def hook_url(org, secret=None):
    return f"/aiontheball/webhook/{org.slug}/{secret or secret_of(org)}/"


def deliver(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json", headers=HEADERS)


def progress(analysis_id, rate, status="running"):
    return {"event": "analysis_completion_rate", "analysis_id": str(analysis_id), "status": status,
            "completion_rate": rate}  # fmt: skip


@pytest.fixture
def analysing(org_a):
    return Match.objects.create(
        organization=org_a, title="Derby", source="url", video_url="https://cdn.example.com/derby.mp4",
        provider_video_id="1000", video_status="available", analysis_id="5000", analysis_status="init",
        phase=Match.Phase.ANALYSING,
    )  # fmt: skip


def test_a_progress_delivery_moves_the_match_on(client, org_a, analysing):
    response = deliver(client, hook_url(org_a), progress(5000, 45))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "result": "applied"}
    analysing.refresh_from_db()
    assert (analysing.analysis_status, analysing.analysis_progress) == ("running", 45)
    assert analysing.session.status == "processing"


def test_a_wrong_secret_is_a_404_and_changes_nothing(client, org_a, org_b, analysing):
    secret_of(org_a)
    assert deliver(client, hook_url(org_a, "not-the-secret"), progress(5000, 45)).status_code == 404
    # Org B's own valid secret does not open org A's address either.
    other = secret_of(org_b)
    assert deliver(client, hook_url(org_a, other), progress(5000, 45)).status_code == 404
    assert (
        deliver(client, f"/aiontheball/webhook/no-such-org/{other}/", progress(5000, 45)).status_code == 404
    )
    analysing.refresh_from_db()
    assert analysing.analysis_progress == 0
    assert not WebhookReceipt.objects.exists()


def test_a_duplicate_delivery_is_applied_once(client, org_a, analysing):
    url = hook_url(org_a)
    assert deliver(client, url, progress(5000, 60)).json()["result"] == "applied"
    assert deliver(client, url, progress(5000, 60)).json()["result"] == "duplicate"
    assert WebhookReceipt.objects.count() == 1


def test_a_late_delivery_never_moves_progress_back(client, org_a, analysing):
    url = hook_url(org_a)
    deliver(client, url, progress(5000, 90, "aggregating"))
    deliver(client, url, progress(5000, 40, "running"))
    analysing.refresh_from_db()
    assert (analysing.analysis_status, analysing.analysis_progress) == ("aggregating", 90)


def test_a_delivery_of_another_shape_is_refused(client, org_a, analysing):
    url = hook_url(org_a)
    response = client.post(url, data="{}", content_type="application/json", headers=HEADERS)
    assert response.status_code == 400
    bad_status = {
        "event": "analysis_done",
        "analysis_id": "5000",
        "status": "running",
        "completion_rate": 100,
    }
    assert deliver(client, url, bad_status).status_code == 400
    assert client.get(url).status_code == 405


def test_an_unknown_analysis_is_acknowledged_and_ignored(client, org_a):
    response = deliver(client, hook_url(org_a), progress(777, 10))
    assert response.json()["result"] == "unknown analysis"


def test_the_done_delivery_fetches_the_results(
    client, org_a, aiontheball_sandbox, aiontheball_token, settings, django_capture_on_commit_callbacks
):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    with aiontheball_sandbox.client(aiontheball_token) as api:
        video = api.create_video("https://cdn.example.com/cup.mp4", title="Cup", home_team_name="Riverside")
        poll(lambda: api.get_video(video.id), lambda v: v.is_ready)
        analysis = api.create_analysis(video.id)
        poll(lambda: api.get_analysis(analysis.id), lambda a: a.is_done)
    match = Match.objects.create(
        organization=org_a, title="Cup", source="url", video_url="https://cdn.example.com/cup.mp4",
        provider_video_id=str(video.id), analysis_id=str(analysis.id), analysis_status="running",
        video_status="available", phase=Match.Phase.ANALYSING,
    )  # fmt: skip
    done = {
        "event": "analysis_done",
        "analysis_id": str(analysis.id),
        "status": "done",
        "completion_rate": 100,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, hook_url(org_a), done).status_code == 200
    match.refresh_from_db()
    assert match.phase == Match.Phase.DONE
    assert match.summary["teams"]["team_0_name"] == "Riverside" and match.events
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, hook_url(org_a), done).json()["result"] == "duplicate"


@pytest.mark.slow  # waits for real webhook deliveries (~2 s)
@pytest.mark.django_db(transaction=True)
def test_the_sandbox_delivers_real_webhooks_that_finish_the_match(
    client, org_a, adam, aiontheball_sandbox, live_server, settings
):
    """Polling stops once the analysis has started; the sandbox's own deliveries bring it to done."""
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    holder = aiontheball_sandbox.create_keyholder("webhooks")
    credentials.save_key(org_a, "aiontheball", api_key=holder["token"], label="", actor=None)
    aiontheball_sandbox.set_webhook(holder["id"], live_server.url + hook_url(org_a))
    aiontheball_sandbox.set_faults(duplicate_webhooks=True)
    try:
        client.force_login(adam)
        form = {"title": "Hooked", "source": "url", "video_url": "https://cdn.example.com/h.mp4"}
        client.post(f"/o/{org_a.slug}/matches/new/", form)
        match = Match.objects.get()
        deadline = time.monotonic() + 60  # generous: only reached when something is wrong
        while not match.analysis_id:
            assert time.monotonic() < deadline
            time.sleep(0.1)
            poll_match(match)

        # No more polling: only deliveries arrive. Wait on the sandbox, not the database, because the
        # in-memory SQLite test database locks whole tables between this thread and the live server's.
        def delivered():
            return [
                d for d in aiontheball_sandbox.webhook_deliveries() if d["url"].startswith(live_server.url)
            ]

        while sum(d["payload"]["event"] == "analysis_done" and "status_code" in d for d in delivered()) < 2:
            assert time.monotonic() < deadline, delivered()
            time.sleep(0.1)
        match.refresh_from_db()
        assert match.phase == Match.Phase.DONE and match.summary and match.events
        deliveries = delivered()
        assert deliveries and all(d.get("status_code") == 200 for d in deliveries)
        assert {d["payload"]["event"] for d in deliveries} >= {"analysis_done"}
    finally:
        aiontheball_sandbox.set_webhook(holder["id"], None)
        aiontheball_sandbox.reset_faults()
