"""Notes on a session: a member adds one at a moment of the video, with a drawing and an angle; the list
is in time order; authors change their own; owners and admins remove any; notes outlive a re-sync, go
with the session, are exported and audited."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachportal.notes.models import Note
from coachportal.organizations.models import AuditEvent, Role
from coachportal.providers import aikynetix
from coachportal.sessions import sync
from tests.factories import make_member, make_session

pytestmark = pytest.mark.django_db

ARROW = {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}
KNEE = {"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]]}  # a right angle on 16:9


@pytest.fixture
def session(org_a):
    return make_session(org_a, title="Tempo run", analyzed_video_url="https://storage.example/v.mp4")


def add(client, session, **data):
    values = {"at_seconds": "1.2", "text": "Knee collapses inwards", "shapes": "", "aspect": "1.7778", **data}
    return client.post(f"/o/{session.organization.slug}/sessions/{session.pk}/notes/add/", values)


def page(client, session) -> str:
    return client.get(f"/o/{session.organization.slug}/sessions/{session.pk}/").content.decode()


def test_a_coach_saves_a_note_with_an_arrow_and_a_knee_angle_at_the_paused_time(client_for, chloe, session):
    response = add(client_for(chloe), session, shapes=json.dumps([ARROW, KNEE]))
    note = Note.objects.get(session=session)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{session.organization.slug}/sessions/{session.pk}/#note-{note.pk}"
    assert (note.author, note.at_seconds, note.text) == (chloe, 1.2, "Knee collapses inwards")
    assert note.shapes == [ARROW, {**KNEE, "degrees": 90.0}]
    event = AuditEvent.objects.get(verb="note.added")
    assert (event.actor, event.object_id, event.detail["shapes"]) == (chloe, str(note.pk), 2)


def test_the_session_page_lists_notes_in_time_order_with_their_drawings(client_for, chloe, adam, session):
    add(client_for(adam), session, at_seconds="5", text="Arms cross the body")
    add(client_for(chloe), session, shapes=json.dumps([KNEE]))
    page(client_for(chloe), session)  # the "saved" messages are shown once
    html = page(client_for(chloe), session)
    assert html.index("0:01.2") < html.index("0:05.0")
    assert "Drawing: angle 90.0°" in html
    data = json.loads(
        re.search(r'<script id="notes-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [(n["at"], len(n["shapes"])) for n in data] == [(1.2, 1), (5.0, 0)]
    assert "js/notes.js" in html and "<script>" not in html


def test_note_text_is_escaped_everywhere(client_for, chloe, session):
    add(client_for(chloe), session, text="</script><script>alert(1)</script>")
    html = page(client_for(chloe), session)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_an_empty_note_or_a_broken_drawing_is_refused_with_a_message(client_for, chloe, session):
    client = client_for(chloe)
    response = add(client, session, text="  ", shapes="")
    assert response.status_code == 302
    assert "Write something or draw on the frame before saving." in page(client, session)
    add(client, session, shapes='[{"type": "angle", "points": [[0, 0]]}]')
    assert "An angle needs 3 points." in page(client, session)
    assert not Note.objects.exists()


def test_the_author_edits_their_note_and_other_coaches_cannot(client_for, chloe, org_a, session):
    add(client_for(chloe), session, shapes=json.dumps([ARROW]))
    note = Note.objects.get()
    edit = f"/o/{org_a.slug}/sessions/{session.pk}/notes/{note.pk}/edit/"
    other = make_member(org_a, Role.COACH, email="carl@riverside.example").user
    assert client_for(other).post(edit, {"at_seconds": "2", "text": "mine now"}).status_code == 403
    assert client_for(other).post(edit.replace("edit", "delete")).status_code == 403
    assert "Edit</a>" not in page(client_for(other), session)
    response = client_for(chloe).post(edit, {"at_seconds": "1.5", "text": "Knee in at landing"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.at_seconds, note.text, note.shapes) == (1.5, "Knee in at landing", [ARROW])
    assert AuditEvent.objects.get(verb="note.changed").detail["before"]["text"] == "Knee collapses inwards"


@pytest.mark.parametrize("manager", ["olivia", "adam"])
def test_owners_and_admins_delete_any_note(client_for, chloe, session, manager, request):
    add(client_for(chloe), session)
    note = Note.objects.get()
    user = request.getfixturevalue(manager)
    response = client_for(user).post(
        f"/o/{session.organization.slug}/sessions/{session.pk}/notes/{note.pk}/delete/"
    )
    assert response.status_code == 302
    assert not Note.objects.exists()
    assert AuditEvent.objects.get(verb="note.deleted").actor == user


def test_a_member_of_another_organization_gets_404(client_for, chloe, bruno, org_b, session):
    add(client_for(chloe), session)
    note = Note.objects.get()
    client = client_for(bruno)
    for url in (
        f"/o/{org_b.slug}/sessions/{session.pk}/notes/add/",
        f"/o/{org_b.slug}/sessions/{session.pk}/notes/{note.pk}/edit/",
        f"/o/{org_b.slug}/sessions/{session.pk}/notes/{note.pk}/delete/",
    ):
        assert client.post(url, {"at_seconds": "1", "text": "x"}).status_code == 404
    assert Note.objects.get().text == "Knee collapses inwards"


def remote(session, **changes):
    values = {
        "id": session.external_id, "activity": "Running", "title": session.title, "user_id": "u-x",
        "user_name": "X", "created_at": session.recorded_at, "video_url": None,
        "analyzed_video_url": None, "segments": 1, "metrics": {"speed": [3.1]}, "report_comments": {},
        "exercise": None, "status": aikynetix.SessionStatus.READY, "raw": {"changed": True},
    }  # fmt: skip
    return aikynetix.Session(**{**values, **changes})


def test_notes_are_kept_when_the_session_is_synced_again_and_go_with_it(client_for, chloe, session, org_a):
    add(client_for(chloe), session, shapes=json.dumps([ARROW]))
    mirror = sync.Mirror(org_a)
    assert mirror.store([remote(session, title="Tempo run (renamed upstream)")]) == (0, 1)
    assert Note.objects.filter(session=session).count() == 1
    assert mirror.mark_deleted({session.external_id}) == 1  # deleted at the provider
    assert not Note.objects.exists()


def test_a_removed_session_row_takes_its_notes(client_for, chloe, session):
    add(client_for(chloe), session)
    session.delete()
    assert not Note.objects.exists()


def test_the_csv_export_has_a_notes_column(client_for, chloe, session, org_a):
    make_session(org_a, title="No notes here")
    add(client_for(chloe), session, shapes=json.dumps([ARROW, KNEE]))
    add(client_for(chloe), session, at_seconds="3", text="Good arm swing")
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_title = {row["Title"]: row["Notes"] for row in rows}
    assert by_title == {
        "Tempo run": "[0:01.2] Knee collapses inwards (arrow, angle 90.0°)\n[0:03.0] Good arm swing",
        "No notes here": "",
    }


def test_the_session_page_reads_notes_in_one_query_however_many(client_for, chloe, session):
    client = client_for(chloe)
    add(client, session)
    page(client, session)
    with CaptureQueriesContext(connection) as one:
        page(client, session)
    for n in range(10):
        add(client, session, at_seconds=str(n), shapes=json.dumps([ARROW]))
    with CaptureQueriesContext(connection) as eleven:
        page(client, session)
    assert len(eleven) == len(one)
