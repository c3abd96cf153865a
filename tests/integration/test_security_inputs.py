"""Provider base URLs come only from settings, and people's file names never become storage paths."""

import importlib
import inspect
import pathlib
import pkgutil
import re

import pytest
import responses
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

import coachportal
from coachportal.athletes.models import Athlete
from coachportal.organizations.models import ProviderCredential
from coachportal.uploads.models import Upload

from ..videos import tiny_mp4

pytestmark = pytest.mark.django_db
URLISH = re.compile(r"base|endpoint|host|api_url|server|origin", re.I)


def project_forms():
    for module_info in pkgutil.walk_packages(coachportal.__path__, "coachportal."):
        if ".sandbox" in module_info.name or ".migrations" in module_info.name:
            continue
        if not module_info.name.endswith((".forms", ".views", ".provider_views", ".audit_views")):
            continue
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("coachportal"):
                yield cls


def test_no_form_accepts_a_base_url_or_host():
    found = list(project_forms())
    assert len(found) >= 5
    for form_class in found:
        names = set(form_class.base_fields)
        assert not {n for n in names if URLISH.search(n)}, f"{form_class.__name__} takes {names}"


def test_testing_a_key_calls_the_configured_provider_whatever_the_request_says(
    client_for, olivia, org_a, settings
):
    settings.AIKYNETIX_BASE_URL = "https://api.aikynetix.test"
    credential = ProviderCredential(organization=org_a, provider="aikynetix")
    credential.set_key("secret-key-1234")
    credential.save()
    seen = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(
            responses.GET, re.compile(r".*"), callback=lambda r: (seen.append(r.url), (200, {}, "[]"))[1]
        )
        mock.add_callback(
            responses.POST, re.compile(r".*"), callback=lambda r: (seen.append(r.url), (200, {}, "{}"))[1]
        )
        client_for(olivia).post(
            f"/o/{org_a.slug}/settings/providers/aikynetix/test/",
            {"base_url": "https://evil.example", "aikynetix-base_url": "https://evil.example"},
            headers={"Host": "testserver", "X-Forwarded-Host": "evil.example"},
        )
    assert seen, "the key test made no request"
    assert all(url.startswith("https://api.aikynetix.test/") for url in seen), seen


def test_the_provider_base_urls_are_read_from_settings_only():
    # Every use of the base URL settings in the product goes through django.conf.settings.
    for path in pathlib.Path(coachportal.__path__[0]).rglob("*.py"):
        # devenv.py writes the local .env that points `make run` at the sandboxes.
        if "sandbox" in path.parts or path.name in ("settings.py", "devenv.py"):
            continue
        text = path.read_text()
        for name in ("AIKYNETIX_BASE_URL", "AIONTHEBALL_BASE_URL"):
            for line in text.splitlines():
                if name in line and "settings." + name not in line and not line.lstrip().startswith("#"):
                    pytest.fail(f"{path}: {line.strip()}")


@pytest.mark.parametrize(
    "filename",
    ["../../../etc/passwd.mp4", "..\\..\\boot.ini.mp4", "/abs/path.mp4", "clip%00.mp4", "ünï cødé 🏃.mov"],
)
def test_a_person_s_file_name_never_becomes_the_storage_path(
    client_for, olivia, org_a, filename, monkeypatch
):
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", lambda upload: None)
    credential = ProviderCredential(organization=org_a, provider="aikynetix")
    credential.set_key("secret-key-1234")
    credential.save()
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    video = SimpleUploadedFile(filename, tiny_mp4())
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/uploads/new/",
        {"target": "athlete", "athlete": ana.pk, "activity": "running", "videos": [video]},
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert re.fullmatch(rf"uploads/org-{org_a.pk}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.mp4", upload.file.name)
