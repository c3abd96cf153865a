"""Fixtures shared by the integration tests that send org A's uploads to the AiKYNETIX sandbox."""

import pytest

from coachportal.organizations import credentials
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
