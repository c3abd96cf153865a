"""Share links: a member makes a read-only link to a session; a person without an account opens it and
sees that session only; links are listed with their views and revoked; revoked or expired links answer
410, tampered ones 404; the page is not indexed, cached or referred; each link is rate-limited."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coachportal.logredact import redact
from coachportal.notes.models import Note
from coachportal.organizations.models import AuditEvent, Role
from coachportal.sessions.models import Session
from coachportal.sessions.sync import Mirror
from coachportal.sharing.models import ShareLink, token_hash
from tests.factories import make_member, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(org_a, chloe):
    session = make_session(
        org_a, title="Tempo run", analyzed_video_url="https://storage.example/v.mp4",
        metrics={"speed": [3.0, 3.2], "contact_time": [0.21, 0.23]},
    )  # fmt: skip
    Note.objects.create(
        organization=org_a, session=session, author=chloe, at_seconds=1.2, text="Knee collapses inwards",
        shapes=[{"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 90.0}],
    )  # fmt: skip
    return session


def create(client, session, **data) -> str:
    """Make a link as the logged-in member; return the share URL's path."""
    url = f"/o/{session.organization.slug}/shares/session/{session.pk}/new/"
    response = client.post(url, {"days": "7", "note": "For Ana and her parents", **data})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return re.search(r'value="http://testserver(/share/[^"]+/)"', response.content.decode()).group(1)


def token_of(path: str) -> str:
    return path.strip("/").rsplit("/", 1)[1]


def test_a_coach_shares_a_session_and_a_stranger_sees_it_and_nothing_else(client_for, chloe, session, org_a):
    path = create(client_for(chloe), session)
    token = token_of(path)
    link = ShareLink.objects.get()
    assert len(token) >= 43
    assert link.token_hash == token_hash(token) and token not in str(ShareLink.objects.values().get())
    assert (link.kind, link.object_id, link.created_by, link.note) == (
        "session",
        session.pk,
        chloe,
        "For Ana and her parents",
    )
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
    assert AuditEvent.objects.filter(verb="share.created", object_id=str(link.pk)).exists()

    response = Client().get(path)  # no cookies, no account
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Tempo run" in html and "For Ana and her parents" in html
    assert '<video src="https://storage.example/v.mp4"' in html
    assert "Speed" in html and "m/s" in html and "Ground contact time" in html
    assert "Knee collapses inwards" in html and '"degrees": 90.0' in html
    assert "/o/" not in html and "Log in" not in html and "Chloe" not in html  # nothing else of the org
    assert "csrfmiddlewaretoken" not in html and "Save note" not in html
    link.refresh_from_db()
    assert link.views == 1 and link.first_viewed_at is not None


def test_the_list_shows_each_link_s_views_and_state(client_for, chloe, session, org_a):
    path = create(client_for(chloe), session)
    for _ in range(3):
        Client().get(path)
    html = client_for(chloe).get(f"/o/{org_a.slug}/shares/").content.decode()
    row = re.search(r'<tr id="link-\d+">(.*?)</tr>', html, re.S).group(1)
    assert "Tempo run" in row and '<td data-label="Views" class="share-views">3' in row and "Active" in row


def test_the_expiry_is_between_1_and_30_days(client_for, chloe, session, org_a):
    url = f"/o/{org_a.slug}/shares/session/{session.pk}/new/"
    response = client_for(chloe).post(url, {"days": "60"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_revoked_link_answers_410_and_a_tampered_one_404(client_for, chloe, olivia, session, org_a):
    path = create(client_for(chloe), session)
    token = token_of(path)
    link = ShareLink.objects.get()
    revoke = f"/o/{org_a.slug}/shares/{link.pk}/revoke/"
    other = make_member(org_a, Role.COACH, email="carl@riverside.example").user
    assert client_for(other).post(revoke).status_code == 403  # not theirs
    assert Client().get(path).status_code == 200
    assert client_for(chloe).post(revoke).status_code == 302
    gone = Client().get(path)
    assert gone.status_code == 410 and "no longer available" in gone.content.decode()
    assert gone["X-Robots-Tag"].startswith("noindex") and gone["Cache-Control"] == "no-store"
    assert "Tempo run" not in gone.content.decode()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(f"/share/{tampered}/").status_code == 404
    assert Client().get("/share/short/").status_code == 404
    assert AuditEvent.objects.filter(verb="share.revoked", actor=chloe).count() == 1


def test_an_owner_revokes_a_coach_s_link(client_for, chloe, olivia, session, org_a):
    create(client_for(chloe), session)
    link = ShareLink.objects.get()
    assert client_for(olivia).post(f"/o/{org_a.slug}/shares/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.is_revoked


def test_an_expired_link_answers_410(client_for, chloe, session):
    path = create(client_for(chloe), session)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 410


def test_deleting_the_session_revokes_its_links(client_for, chloe, session, org_a):
    path = create(client_for(chloe), session)
    Mirror(org_a).mark_deleted({session.external_id})
    assert Client().get(path).status_code == 410


def test_each_link_is_rate_limited(client_for, chloe, session, settings):
    settings.SHARE_LINK_VIEWS_PER_MINUTE = 2
    path = create(client_for(chloe), session)
    other = create(client_for(chloe), session)
    assert [Client().get(path).status_code for _ in range(3)] == [200, 200, 429]
    assert Client().get(other).status_code == 200  # per link
    link = ShareLink.objects.get(token_hash=token_hash(token_of(path)))
    assert link.views == 2
    ShareLink.objects.filter(pk=link.pk).update(window_started_at=timezone.now() - timedelta(minutes=2))
    assert Client().get(path).status_code == 200


def test_the_provider_video_url_is_refreshed_when_it_has_expired(client_for, chloe, mirrored):
    path = create(client_for(chloe), mirrored)
    Session.objects.filter(pk=mirrored.pk).update(
        analyzed_video_url="https://old.example/v.mp4?Expires=1000",
        analyzed_video_expires_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    html = Client().get(path).content.decode()
    mirrored.refresh_from_db()
    assert mirrored.analyzed_video_url.endswith("analyzed_video.mp4")
    assert f'<video src="{mirrored.analyzed_video_url}"' in html


def test_share_tokens_are_redacted_from_logged_paths():
    token = "a" * 43
    assert redact(f'"GET /share/{token}/ HTTP/1.1" 200') == '"GET /share/[redacted]/ HTTP/1.1" 200'
    assert token not in redact(f"Gone: /share/{token}/")
    assert redact("/o/riverside/shares/12/revoke/") == "/o/riverside/shares/12/revoke/"


def test_deleting_a_session_at_the_provider_removes_its_notes_and_ends_its_links(
    client_for,
    chloe,
    adam,
    mirrored,
):
    client = client_for(chloe)
    client.post(
        f"/o/{mirrored.organization.slug}/sessions/{mirrored.pk}/notes/add/",
        {"at_seconds": "1.2", "text": "Knee in", "shapes": "", "aspect": "1.7778"},
    )
    path = create(client, mirrored)
    assert Note.objects.filter(session=mirrored).count() == 1
    response = client_for(adam).post(f"/o/{mirrored.organization.slug}/sessions/{mirrored.pk}/delete/")
    assert response.status_code == 302
    assert not Note.objects.filter(session=mirrored).exists()
    assert Client().get(path).status_code == 410
