"""The upload form: who may use it, and every check that happens before anything is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.uploads import forms
from coachportal.uploads.forward import upload_request
from coachportal.uploads.models import Upload
from coachportal.videofiles import names, probe

from ..videos import cut_in_half, ftyp_html_polyglot, tiny_mp4, without_moov

pytestmark = pytest.mark.django_db

MP4 = tiny_mp4()  # a real little video: the form reads its header and index


@pytest.fixture(autouse=True)
def no_forwarding(monkeypatch):
    """These tests stop at storage: the forwarding task has its own tests."""
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", lambda upload: None)


@pytest.fixture
def key(org_a):
    return credentials.save_key(org_a, "aikynetix", api_key="key-for-form-tests-0000", label="", actor=None)


@pytest.fixture
def nobody_id(org_a):
    return Athlete.objects.create(organization=org_a, name="Noah No-Id")


def url(org, *parts):
    return "/".join([f"/o/{org.slug}/uploads", *parts]) + "/"


def video(name="Sprint_day-2.mp4", content=MP4):
    return SimpleUploadedFile(name, content, content_type="video/mp4")


def post(client, org, athlete=None, files=None, **fields):
    data = {"target": "athlete", "activity": "running", "title": "", **fields}
    if athlete is not None:
        data["athlete"] = athlete.pk
    data["videos"] = files if files is not None else [video()]
    return client.post(url(org, "new"), data)


def errors_of(response, field):
    return list(response.context["form"].errors.get(field, []))


# Who may upload ---------------------------------------------------------------------------------------


def test_an_admin_can_choose_every_active_athlete_with_or_without_an_id(
    client_for, org_a, adam, key, valentina, nobody_id
):
    response = client_for(adam).get(url(org_a, "new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{valentina.pk}">Valentina Vega</option>' in html
    assert f'<option value="{nobody_id.pk}">Noah No-Id</option>' in html
    assert "disabled" not in html.split('name="athlete"')[1].split("</select>")[0]
    assert 'name="target"' in html  # admins may also upload to the key owner's own account


def test_a_coach_may_not_upload_when_the_organization_does_not_allow_it(
    client_for, org_a, chloe, key, valentina
):
    client = client_for(chloe)
    assert client.get(url(org_a, "new")).status_code == 403
    assert post(client, org_a, valentina).status_code == 403
    assert client.get(url(org_a)).status_code == 403
    assert not Upload.objects.exists()


def test_a_coach_may_upload_for_an_athlete_when_the_organization_allows_it(
    client_for, org_a, chloe, key, valentina
):
    org_a.coaches_may_upload = True
    org_a.save()
    client = client_for(chloe)
    page = client.get(url(org_a, "new"))
    assert page.status_code == 200
    assert 'name="target"' not in page.content.decode()  # the key owner's account is for admins
    response = post(client, org_a, valentina)
    assert response.status_code == 302, response.context["form"].errors
    assert Upload.objects.get().uploaded_by == chloe


def test_another_organizations_member_gets_not_found(client_for, org_a, bruno):
    assert client_for(bruno).get(url(org_a, "new")).status_code == 404


# Storing --------------------------------------------------------------------------------------------


def test_a_plain_post_stores_each_file_under_a_random_name_and_audits_it(
    client_for, org_a, adam, key, valentina, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    response = post(
        client_for(adam), org_a, valentina, files=[video("../../etc/passwd.mp4"), video("Second take.mov")]
    )
    assert response.status_code == 302
    assert response["Location"] == url(org_a)
    first, second = Upload.objects.order_by("pk")
    assert first.title == "passwd" and second.title == "Second take"
    assert first.original_filename == "passwd.mp4"
    for upload in (first, second):
        assert upload.file.name.startswith(f"uploads/org-{org_a.pk}/")
        assert "passwd" not in upload.file.name and "Second" not in upload.file.name
        assert (tmp_path / upload.file.name).read_bytes() == MP4
        assert upload.size == len(MP4)
        assert len(upload.sha256) == 64
        assert upload.state == Upload.State.STORED
        assert upload.provider_user_id == "val-01"
    assert AuditEvent.objects.filter(verb="upload.created").count() == 2


def test_a_given_title_is_numbered_when_several_files_share_it(client_for, org_a, adam, key, valentina):
    post(client_for(adam), org_a, valentina, files=[video("a.mp4"), video("b.mp4")], title="Hill sprints")
    assert sorted(Upload.objects.values_list("title", flat=True)) == [
        "Hill sprints (1 of 2)",
        "Hill sprints (2 of 2)",
    ]


def test_the_script_gets_json_per_file(client_for, org_a, adam, key, valentina):
    response = client_for(adam).post(
        url(org_a, "new"),
        {"target": "athlete", "athlete": valentina.pk, "activity": "running", "videos": [video()]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    [item] = response.json()["uploads"]
    assert item["state"] == "stored"
    assert item["status_url"] == url(org_a, str(item["id"]), "status")


def test_the_script_gets_field_errors_as_json(client_for, org_a, adam, key, nobody_id):
    response = client_for(adam).post(
        url(org_a, "new"),
        {"target": "athlete", "athlete": nobody_id.pk, "activity": "running", "videos": [video(content=b"")]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "athlete" not in errors  # nobody is created upstream for a form that is wrong anyway
    assert errors["videos"] == ["“Sprint_day-2.mp4” is empty."]


def test_weightlifting_stores_the_lift_and_the_mass_and_sends_kilograms(
    client_for, org_a, adam, key, valentina
):
    post(
        client_for(adam),
        org_a,
        valentina,
        activity="weightlifting",
        lift_exercise="clean_and_jerk",
        barbell_mass="220",
        barbell_unit="lb",
        incline_degree="",
    )
    upload = Upload.objects.get()
    assert (upload.exercise, str(upload.barbell_mass), upload.barbell_unit) == (
        "clean_and_jerk",
        "220.00",
        "lb",
    )
    assert upload_request(upload).fields() == {
        "session_name": "Sprint day 2",
        "user_id": "val-01",
        "exercise_name": "clean_and_jerk",
        "barbell_mass": "99.8",
    }


def test_jumping_sends_the_chosen_jump_and_incline(client_for, org_a, adam, key, valentina):
    post(
        client_for(adam),
        org_a,
        valentina,
        activity="jumping",
        jump_exercise="Drop Jump",
        incline_degree="2.5",
    )
    assert upload_request(Upload.objects.get()).fields() == {
        "session_name": "Sprint day 2",
        "user_id": "val-01",
        "incline_degree": "2.5",
        "exercise": "Drop Jump",
    }


def test_an_admin_may_upload_to_the_key_owners_own_account(client_for, org_a, adam, key):
    assert post(client_for(adam), org_a, target="own").status_code == 302
    upload = Upload.objects.get()
    assert upload.target == "own" and upload.athlete is None
    assert "user_id" not in upload_request(upload).fields()


# Checks before anything is stored --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.mp4", "“empty.mp4” is empty."),
        (b"%PDF-1.7 not a video at all........", "renamed.mp4", forms.NOT_VIDEO.format(name="renamed.mp4")),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.mov", forms.NOT_VIDEO.format(name="photo.mov")),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "iphone.mov", forms.NOT_VIDEO.format(name="iphone.mov")),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_next_to_the_field(
    client_for, org_a, adam, key, valentina, content, name, message
):
    response = post(client_for(adam), org_a, valentina, files=[video(name, content)])
    assert response.status_code == 400
    assert errors_of(response, "videos") == [message]
    assert (
        message.replace("“", "&ldquo;")[:20] in response.content.decode()
        or message in response.content.decode()
    )
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (cut_in_half(tiny_mp4()), probe.CUT_OFF),
        (cut_in_half(tiny_mp4(faststart=True)), probe.CUT_OFF),
        (without_moov(tiny_mp4()), probe.NO_INDEX),
        (ftyp_html_polyglot(), probe.UNREADABLE),
    ],
    ids=["cut-in-half", "cut-in-half-index-first", "no-moov", "ftyp-html-polyglot"],
)
def test_a_file_that_starts_like_an_mp4_but_is_not_a_whole_video_is_refused_with_the_reason(
    client_for, org_a, adam, key, valentina, content, message
):
    assert content[4:8] == b"ftyp"  # the first bytes alone would pass
    response = post(client_for(adam), org_a, valentina, files=[video("match.mp4", content)])
    assert response.status_code == 400
    assert errors_of(response, "videos") == [message.format(name="match.mp4")]
    assert not Upload.objects.exists()


def test_the_per_file_upload_answers_the_reason_as_json_for_the_file(client_for, org_a, adam, key, valentina):
    response = client_for(adam).post(
        url(org_a, "new"),
        {
            "target": "athlete",
            "athlete": valentina.pk,
            "activity": "running",
            "videos": [video("cut.mp4", cut_in_half(MP4))],
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["videos"] == [probe.CUT_OFF.format(name="cut.mp4")]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("clip.mp4.exe", "clip.mp4.exe"),
        ("clip\u202egpj.exe", "clipgpj.exe"),  # shows as "clipexe.jpg" with the override
        ("holiday\u202e4pm.exe", "holiday4pm.exe"),  # shows as "holidayexe.mp4"
        ("clip.mp4\u200f", None),  # an invisible mark after a good name changes nothing
        ("clip\uff0e\uff4d\uff50\uff14", None),  # full-width ".mp4" letters normalise to "clip.mp4"
        ("video", "video"),
    ],
)
def test_a_file_name_must_end_in_a_video_extension_as_people_see_it(
    client_for, org_a, adam, key, valentina, name, shown
):
    response = post(client_for(adam), org_a, valentina, files=[video(name, MP4)])
    if shown is None:
        assert response.status_code == 302
        assert Upload.objects.count() == 1
        return
    assert response.status_code == 400
    assert errors_of(response, "videos") == [names.name_problem(name)]
    assert f"“{shown}” does not end in a video extension" in errors_of(response, "videos")[0]
    assert not Upload.objects.exists()


def test_one_bad_file_stores_none_of_them(client_for, org_a, adam, key, valentina):
    response = post(client_for(adam), org_a, valentina, files=[video("good.mp4"), video("bad.mp4", b"hello")])
    assert errors_of(response, "videos") == [forms.NOT_VIDEO.format(name="bad.mp4")]
    assert not Upload.objects.exists()


def test_a_file_larger_than_the_limit_is_refused(client_for, org_a, adam, key, valentina, settings):
    settings.MAX_UPLOAD_MB = 1
    big = MP4 + b"\x00" * (1024 * 1024 + 10)
    response = post(client_for(adam), org_a, valentina, files=[video("big.mp4", big)])
    assert errors_of(response, "videos") == ["“big.mp4” is 1 MB, larger than the 1 MB limit."]
    assert not Upload.objects.exists()


def test_no_file_at_all_is_refused(client_for, org_a, adam, key, valentina):
    response = post(client_for(adam), org_a, valentina, files=[])
    assert errors_of(response, "videos") == [forms.NO_FILE]


def test_an_athlete_must_be_chosen(client_for, org_a, adam, key):
    response = post(client_for(adam), org_a)
    assert errors_of(response, "athlete") == [forms.NO_ATHLETE]


def test_another_organizations_athlete_cannot_be_chosen(client_for, org_a, org_b, adam, key):
    stranger = Athlete.objects.create(organization=org_b, name="Stranger", aikynetix_user_id="x-1")
    response = post(client_for(adam), org_a, stranger)
    assert response.status_code == 400
    assert errors_of(response, "athlete")
    assert not Upload.objects.exists()


def test_weightlifting_needs_the_lift_and_the_mass(client_for, org_a, adam, key, valentina):
    response = post(client_for(adam), org_a, valentina, activity="weightlifting")
    assert errors_of(response, "lift_exercise") == [forms.NO_LIFT]
    assert errors_of(response, "barbell_mass") == [forms.NO_MASS]
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("mass", "unit"), [("0", "kg"), ("-20", "kg"), ("501", "kg"), ("1200", "lb"), ("1", "lb")]
)
def test_a_barbell_mass_that_makes_no_sense_is_refused(client_for, org_a, adam, key, valentina, mass, unit):
    response = post(
        client_for(adam),
        org_a,
        valentina,
        activity="weightlifting",
        lift_exercise="snatch",
        barbell_mass=mass,
        barbell_unit=unit,
    )
    assert errors_of(response, "barbell_mass") == [forms.BAD_MASS]


def test_a_barbell_mass_that_is_not_a_number_is_refused(client_for, org_a, adam, key, valentina):
    response = post(
        client_for(adam),
        org_a,
        valentina,
        activity="weightlifting",
        lift_exercise="snatch",
        barbell_mass="heavy",
    )
    assert errors_of(response, "barbell_mass") == ["Enter a number."]


@pytest.mark.parametrize("incline", ["45", "-21", "NaN", "steep"])
def test_an_incline_that_makes_no_sense_is_refused(client_for, org_a, adam, key, valentina, incline):
    response = post(client_for(adam), org_a, valentina, incline_degree=incline)
    assert errors_of(response, "incline_degree") in ([forms.BAD_INCLINE], ["Enter a number."])
    assert not Upload.objects.exists()


def test_nothing_is_stored_without_an_aikynetix_key(client_for, org_a, adam, valentina):
    client = client_for(adam)
    assert "has no AiKYNETIX key yet" in client.get(url(org_a, "new")).content.decode()
    response = post(client, org_a, valentina)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [forms.NO_KEY]
    assert not Upload.objects.exists()
