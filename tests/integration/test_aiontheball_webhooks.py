"""The sandbox delivers the documented webhooks, and the client's verifier accepts them."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coachportal.providers.aiontheball import verify_webhook
from tests.fixtures.aiontheball_sandbox import poll

MATCH_URL = "https://storage.example.com/matches/riverside-vs-hilltop.mp4"


@pytest.fixture
def receiver():
    """A local HTTP endpoint recording every POST as (headers, body)."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/aiontheball", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(aiontheball_sandbox, receiver):
    url, received = receiver
    holder = aiontheball_sandbox.create_keyholder("Webhook club")
    aiontheball_sandbox.set_webhook(holder["id"], url)
    yield aiontheball_sandbox.client(holder["token"]), received
    aiontheball_sandbox.set_webhook(holder["id"], None)
    aiontheball_sandbox.reset_faults()


def test_an_analysis_sends_progress_then_done_webhooks_that_verify(hooked):
    client, received = hooked
    video = client.create_video(MATCH_URL)
    analysis = client.create_analysis(video.id)
    poll(lambda: client.get_analysis(analysis.id), lambda a: a.is_finished)

    poll(lambda: received, lambda items: any(b'"analysis_done"' in body for _, body in items))
    events = [verify_webhook(headers, body) for headers, body in received]

    assert events[-1].event == "analysis_done"
    assert (events[-1].status, events[-1].completion_rate) == ("done", 100)
    progress = [event for event in events if event.event == "analysis_completion_rate"]
    assert progress
    assert {event.status for event in progress} <= {"running", "aggregating"}
    assert [event.completion_rate for event in progress] == sorted(
        event.completion_rate for event in progress
    )
    assert {event.analysis_number for event in events} == {analysis.id}


def test_a_failed_analysis_sends_a_done_webhook_with_status_error(hooked):
    client, received = hooked
    video = client.create_video("https://unreachable.example.com/match.mp4")
    analysis = client.create_analysis(video.id)
    poll(lambda: client.get_analysis(analysis.id), lambda a: a.is_finished)

    poll(lambda: received, lambda items: any(b'"analysis_done"' in body for _, body in items))
    final = verify_webhook(*received[-1])

    assert (final.event, final.status, final.analysis_number) == ("analysis_done", "error", analysis.id)


def test_duplicate_deliveries_can_be_switched_on(aiontheball_sandbox, hooked):
    client, received = hooked
    aiontheball_sandbox.set_faults(duplicate_webhooks=True)
    video = client.create_video(MATCH_URL)
    analysis = client.create_analysis(video.id)
    poll(lambda: client.get_analysis(analysis.id), lambda a: a.is_finished)

    poll(lambda: received, lambda items: sum(b'"analysis_done"' in body for _, body in items) >= 2)

    done = [body for _, body in received if b'"analysis_done"' in body]
    assert len(done) == 2
    assert done[0] == done[1]


def test_a_webhook_url_off_this_machine_is_refused(aiontheball_sandbox):
    holder = aiontheball_sandbox.create_keyholder()

    with pytest.raises(Exception, match="422"):
        aiontheball_sandbox.set_webhook(holder["id"], "https://portal.example.com/hooks")
