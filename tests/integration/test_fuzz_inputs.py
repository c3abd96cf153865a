"""Fuzzing the inputs people type and upload: every text form, the upload form, the roster CSV import
and the library's query string. Whatever arrives, the answer is never a 500 and nothing is half written.
"""

import os
import re
import string

import pytest
import responses
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coachportal.accounts.models import User
from coachportal.athletes.models import Athlete
from coachportal.matches.models import Match
from coachportal.organizations.models import AuditEvent, Invitation, Organization, ProviderCredential
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload

from ..videos import tiny_mp4

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # hypothesis runs each test many times

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
# Text that tends to break things: quotes, separators, control characters, right-to-left, emoji, NUL.
NASTY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(",;\t\"'\r\n\\/.<>&%\x00\u202e\ufeff😀é")), st.characters(codec="utf-8")
    ),
    max_size=40,
)


@pytest.fixture
def uploader(org_a, olivia, monkeypatch):
    credential = ProviderCredential(organization=org_a, provider="aikynetix")
    credential.set_key("fuzz-key-123456")
    credential.save()
    Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")
    Athlete.objects.create(organization=org_a, name="No Id")
    queued = []
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", queued.append)
    client = Client()
    client.force_login(olivia)
    return client


def mostly(good, bad):
    """Draw from `good` three times in four, so that many examples pass validation."""
    return st.integers(0, 3).flatmap(lambda n: good if n else bad)


ANA = "<ana>"  # replaced by the real athlete's id in the test
# Mostly sensible values, so that many examples get through validation, with nasty ones mixed in.
upload_fields = st.fixed_dictionaries(
    {
        "target": mostly(st.just("athlete"), st.one_of(st.sampled_from(["self", ""]), NASTY)),
        "athlete": mostly(st.just(ANA), st.one_of(st.integers(-5, 10**12).map(str), NASTY)),
        "activity": mostly(st.sampled_from(["running", "jumping", "weightlifting"]), NASTY),
    },
    optional={
        "title": mostly(st.text(string.ascii_letters + " -", max_size=60), st.text(max_size=300)),
        "incline_degree": mostly(
            st.integers(-20, 30).map(str), st.one_of(st.decimals(allow_nan=True).map(str), NASTY)
        ),
        "jump_exercise": mostly(st.sampled_from(["Countermovement Jump", "Drop Jump"]), NASTY),
        "lift_exercise": mostly(st.sampled_from(["snatch", "clean", "clean_and_jerk"]), NASTY),
        "barbell_mass": mostly(st.integers(1, 500).map(str), st.one_of(st.floats().map(str), NASTY)),
        "barbell_unit": mostly(st.sampled_from(["kg", "lb"]), NASTY),
    },
)
files = st.lists(
    st.tuples(
        mostly(st.sampled_from(["clip.mp4", "../../etc/passwd.mp4", "a" * 300 + ".mov", ".mp4"]), NASTY),
        mostly(st.just(tiny_mp4()), st.binary(max_size=256).map(lambda b: MP4_HEAD + b)),
    ),
    min_size=1,
    max_size=3,
)


@FUZZ
@given(fields=upload_fields, videos=files)
def test_the_upload_form_never_fails_and_never_half_stores(uploader, org_a, fields, videos):
    before_rows = Upload.objects.count()
    before_files = stored_files(org_a)
    ana = Athlete.objects.get(organization=org_a, aikynetix_user_id="u-ana")
    fields = {k: str(ana.pk) if v == ANA else v for k, v in fields.items()}
    data = {
        **fields,
        "videos": [SimpleUploadedFile(name.rsplit("/", 1)[-1] or "x", content) for name, content in videos],
    }
    response = uploader.post(f"/o/{org_a.slug}/uploads/new/", data)
    event(f"upload answered {response.status_code}")
    assert response.status_code in (200, 302, 400), response.status_code
    created = Upload.objects.count() - before_rows
    if response.status_code == 302:
        assert created == len(videos)
        assert stored_files(org_a) == before_files + created
        for upload in Upload.objects.order_by("-pk")[:created]:
            # The person's file name is kept for display only; the server chooses the storage path.
            assert re.fullmatch(
                rf"uploads/org-{org_a.pk}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.[a-z0-9]+", upload.file.name
            )
    else:
        assert created == 0
        assert stored_files(org_a) == before_files


def stored_files(org) -> int:
    """Count the files stored under the organization's prefix."""

    def walk(path):
        try:
            dirs, names = default_storage.listdir(path)
        except (FileNotFoundError, OSError):
            return 0
        return len(names) + sum(walk(f"{path}/{d}") for d in dirs)

    return walk(f"uploads/org-{org.pk}")


@pytest.fixture
def manager(olivia):
    client = Client()
    client.force_login(olivia)
    return client


csv_cells = mostly(
    st.one_of(st.emails(), st.sampled_from(["", "Ada", "Ben Jumper", "ada@example.com", "u-1", "u-2 "])),
    NASTY,
)
csv_headers = st.tuples(
    mostly(st.just(["name"]), st.just([])),
    st.lists(
        mostly(st.sampled_from(["email", "aikynetix_user_id", "AiKYNETIX user id", "notes"]), NASTY),
        max_size=4,
        unique=True,
    ),
).map(lambda parts: parts[0] + parts[1])


@st.composite
def csv_text(draw):
    header = draw(csv_headers)
    rows = draw(
        st.lists(st.lists(csv_cells, min_size=len(header), max_size=len(header) + 1), min_size=1, max_size=6)
    )
    sep = draw(st.sampled_from([",", ";", "\t"]))

    def cell(value):
        return '"' + value.replace('"', '""') + '"' if draw(st.booleans()) else value

    lines = [sep.join(cell(c) for c in line) for line in [header, *rows]]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


csv_payloads = st.one_of(
    csv_text().map(str.encode),
    st.binary(max_size=512),
    st.text(max_size=300).map(str.encode),
    csv_text().map(str.encode),
    csv_text().map(lambda t: t.encode("utf-16")),
    csv_text().map(lambda t: b"\xef\xbb\xbf" + t.encode()),
)


@FUZZ
@given(payload=csv_payloads, filename=st.one_of(NASTY, st.just("roster.csv")))
def test_the_csv_import_never_fails_and_applies_all_or_nothing(manager, org_a, payload, filename):
    base = f"/o/{org_a.slug}/athletes/import/"
    before = Athlete.objects.filter(organization=org_a).count()
    events = AuditEvent.objects.count()
    # A browser sends a file's base name; Django refuses to even build an upload named "/" or "..".
    name = os.path.basename(filename or "")
    name = "x.csv" if name in ("", ".", "..") else name
    response = manager.post(base, {"file": SimpleUploadedFile(name, payload)})
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert Athlete.objects.filter(organization=org_a).count() == before
        return
    preview = manager.get(base + "preview/")
    assert preview.status_code in (200, 302)
    # Nothing is written by looking at the preview.
    assert Athlete.objects.filter(organization=org_a).count() == before
    assert AuditEvent.objects.count() == events
    if preview.status_code != 200:
        return
    plan = preview.context["plan"]
    event(f"csv import writes {bool(plan.writes)}")
    confirmed = manager.post(base + "confirm/", preview.context["confirm"].initial)
    assert confirmed.status_code == 302
    added = Athlete.objects.filter(organization=org_a).count() - before
    assert added in (0, plan.count("create"))
    if plan.writes:
        assert added == plan.count("create")


LIBRARY_KEYS = ["athlete", "activity", "date_from", "date_to", "status", "q", "sort", "page", "provider"]


@pytest.fixture
def library(org_a, chloe):
    ana = Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")
    for n in range(3):
        Session.objects.create(organization=org_a, external_id=f"s{n}", athlete=ana, title=f"Run {n}")
    client = Client()
    client.force_login(chloe)
    return client


query_values = st.one_of(
    NASTY,
    st.integers(-(10**20), 10**20).map(str),
    st.dates().map(str),
    st.sampled_from(["-date", "date", "title", "running", "ready", "processing", "2026-02-30", "0"]),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(LIBRARY_KEYS), st.text(string.ascii_letters + "_[]", min_size=1, max_size=10)),
    st.one_of(query_values, st.lists(query_values, max_size=3)),
    max_size=6,
)


@FUZZ
@given(query=queries, htmx=st.booleans())
def test_the_library_answers_any_query_string_without_failing(library, org_a, query, htmx):
    rows = Session.objects.count()
    headers = {"HX-Request": "true"} if htmx else {}
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        response = library.get(f"/o/{org_a.slug}/sessions/", query, headers=headers)
    assert response.status_code in (200, 400)
    assert Session.objects.count() == rows


# Every form a person types into: over-long, empty, control-character and right-to-left strings ------

HOSTILE = st.one_of(
    st.text(min_size=255, max_size=400),  # past every column
    st.just(""),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf"]), min_size=1, max_size=30),
    st.text(alphabet=st.sampled_from(list("abc .\u202e\u202d\u2066\u200f\u061c")), min_size=1, max_size=60),
    st.emails(),
    NASTY,
)


def form_posts(org):
    """(url, field names) of the portal's text forms, posted by the owner of `org`."""
    return {
        "create organization": ("/orgs/new/", ["name"]),
        "organization settings": (f"/o/{org.slug}/settings/", ["name", "keep_local_video_days"]),
        "invite": (f"/o/{org.slug}/members/invite/", ["email", "role"]),
        "new athlete": (f"/o/{org.slug}/athletes/new/", ["name", "email", "aikynetix_user_id", "notes"]),
        "provider key": (f"/o/{org.slug}/settings/providers/aikynetix/", ["label", "api_key"]),
        "new match": (f"/o/{org.slug}/matches/new/", ["title", "home_team", "away_team", "video_url"]),
        "sign up": ("/accounts/signup/", ["name", "email", "organization_name", "password1", "password2"]),
        "log in": ("/accounts/login/", ["username", "password"]),
    }


def written_rows():
    return [m.objects.count() for m in (User, Organization, Invitation, Athlete, Match, ProviderCredential)]


@FUZZ
@given(form=st.sampled_from(sorted(form_posts(type("O", (), {"slug": "x"})))), data=st.data())
def test_every_form_answers_hostile_text_without_failing_or_half_writing(
    org_a, olivia, monkeypatch, form, data
):
    monkeypatch.setattr("coachportal.matches.services._enqueue_register", lambda match: None)
    monkeypatch.setattr(
        "coachportal.organizations.credentials._probe", lambda credential: None, raising=False
    )
    url, names = form_posts(org_a)[form]
    values = {name: data.draw(HOSTILE, label=name) for name in names}
    values["source"] = "url"
    client = Client()
    if form not in ("sign up", "log in"):
        client.force_login(olivia)
    before = written_rows()
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        response = client.post(url, values)
    event(f"{form} answered {response.status_code}")
    assert response.status_code < 500, (form, values)
    if response.status_code != 302:
        assert written_rows() == before, (form, values)
