"""AiKYNETIX's activity labels as the library's codes: the provider's contract, read in one place."""

import pytest

from coachportal.providers.aikynetix import Activity, UploadRequest, activity_code
from coachportal.sessions.models import Activity as LibraryActivity
from coachportal.uploads.models import Activity as UploadActivity


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Running", "running"),
        ("Vertical Jump", "jumping"),
        ("VerticalJump", "jumping"),
        (" weightlifting ", "weightlifting"),
        ("Mobility Assessment", "mobility"),
        ("Sprint Drills", "sprint-drills"),
        ("Équilibre / balance", "equilibre-balance"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_a_session_label_reads_as_a_code(label, code):
    assert activity_code(label) == code


def test_an_unknown_activity_keeps_a_short_code():
    assert len(activity_code("x" * 80)) == 30


def test_the_library_and_the_upload_form_use_the_providers_codes():
    assert {a.value for a in Activity} <= set(LibraryActivity.values)
    assert UploadActivity.choices == [(a.value, LibraryActivity(a.value).label) for a in Activity]


def test_an_upload_to_the_key_owner_sends_no_user_id_and_a_jump_names_its_exercise():
    request = UploadRequest(activity=Activity.JUMPING, session_name="Box jumps", incline_degree="2.5")
    assert request.fields() == {
        "session_name": "Box jumps",
        "incline_degree": "2.5",
        "exercise": "Countermovement Jump",
    }
