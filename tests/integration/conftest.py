"""Fixtures shared by the integration tests that send org A's uploads to the AiKYNETIX sandbox."""

import pytest

from coachportal.organizations import credentials
from coachportal.sessions import sync
from coachportal.sessions.models import Session
from tests.factories import make_athlete


@pytest.fixture
def portal_sandbox(aikynetix_faults, settings):
    """The AiKYNETIX sandbox with the portal pointed at it; its fault knobs are cleared afterwards."""
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    return aikynetix_faults


@pytest.fixture
def key(org_a, holder):
    """Org A's AiKYNETIX key: that of the test module's `holder`, a key-holder in the sandbox."""
    return credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)


@pytest.fixture
def valentina(org_a):
    """An athlete of org A whose provider user id is "val-01"."""
    return make_athlete(org_a, name="Valentina Vega", aikynetix_user_id="val-01")


@pytest.fixture
def mirrored(org_a, aikynetix_sandbox, aikynetix_video, settings):
    """Org A connected to a sandbox account with one finished running session, already synced."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ana", "Ana")], processing_seconds=3600
    )
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    with aikynetix_sandbox.client(holder.key) as client:
        session_id = client.upload_running(aikynetix_video, user_id="u-ana", session_name="Tempo").session_id
    aikynetix_sandbox.complete_session(session_id)
    sync.sync_organization(org_a)
    session = Session.objects.get(external_id=session_id)
    session.holder = holder
    return session
