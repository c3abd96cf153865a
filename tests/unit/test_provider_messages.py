"""Provider messages reach people as sentences: one full stop, no stray spaces, no raw exception text."""

import pytest

from coachportal.organizations.provider_messages import clause, join, sentence


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("User abc not found", "User abc not found."),
        ("Invalid key..", "Invalid key."),
        ("Invalid key. .", "Invalid key."),
        ("  Email and display name are required .  ", "Email and display name are required."),
        ("user creation limit reached for Pro plan.", "User creation limit reached for Pro plan."),
        ("Is the key right?", "Is the key right?"),
        ("noah@club.example is already in use", "noah@club.example is already in use."),
        ("exercise_name is required", "exercise_name is required."),
        ("Session ( 42 ) not found", "Session (42) not found."),
        (
            "AiKYNETIX did not answer: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded "
            "with url: /user-management/organization-status/ (Caused by NewConnectionError('<urllib3."
            "connection.HTTPConnection object>: Failed to establish a new connection: [Errno 111]'))",
            "AiKYNETIX did not answer.",
        ),
        (
            "upload not completed: "
            "ReadTimeoutError(\"HTTPSConnectionPool(host='x', port=443): Read timed out.\")",
            "Upload not completed.",
        ),
        (
            'Traceback (most recent call last):\n  File "x.py", line 1',
            "The provider did not answer as expected.",
        ),
        ("", "The provider did not answer as expected."),
        (None, "The provider did not answer as expected."),
    ],
)
def test_a_provider_message_becomes_one_clean_sentence(raw, shown):
    assert sentence(raw) == shown


def test_a_clause_has_no_final_stop_so_it_fits_inside_our_sentence():
    assert (
        f"AiKYNETIX refused the key ({clause('Invalid API key.')})."
        == "AiKYNETIX refused the key (Invalid API key)."
    )
    assert clause("HTTPConnectionPool(host='x')", fallback="no answer") == "no answer"


def test_join_builds_several_sentences_without_doubled_stops():
    assert join("AiKYNETIX refused the key:", "Invalid key.", "Paste the key again.") == (
        "AiKYNETIX refused the key. Invalid key. Paste the key again."
    )
    assert join("Saved", "") == "Saved."
