"""AiKYNETIX clients (users): tolerant parsing, request shapes, the successor-path fallback, and the rule
that only documented query parameters are ever sent."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from coachportal.providers.aikynetix import (
    CLIENTS_PATH,
    USERS_FILTER_PATH,
    USERS_PATH,
    AikynetixClient,
    NotFound,
    OrganizationStatus,
    UserNotUnderAdmin,
    UserQuotaReached,
    WriteOutcomeUnknown,
)
from coachportal.providers.aikynetix.parsing import (
    MalformedResponse,
    parse_created_user,
    parse_organization_status,
    parse_user,
    parse_user_page,
    parse_users,
)

BASE = "https://api.aikynetix.app"

# Reference 12.1, the list example (the spec's numbers and strings as they come).
USER_EXAMPLE = {
    "created_at": "2024-08-16T00:29:21.349Z",
    "weight": 70,
    "age": "22",
    "ycom": 0.9570000000000001,
    "height": 174,
    "phone": "8328889011",
    "leg_length": 0.90915,
    "display_name": "User1",
    "shoeSize": "6",
    "email": "user1@example.com",
    "gender": "Female",
    "brand": "Fabletics",
    "shoeModel": "The Everyday Sneaker II",
    "user_uid": "CMQe1HuAg4uMXqHE6dVO",
}


def test_the_reference_user_parses_with_the_documented_types():
    user = parse_user(USER_EXAMPLE)

    assert user.user_uid == "CMQe1HuAg4uMXqHE6dVO"
    assert (user.height, user.weight, user.leg_length, user.ycom) == (
        174.0,
        70.0,
        0.90915,
        0.9570000000000001,
    )
    assert (user.age, user.shoe_size, user.shoe_model) == ("22", "6", "The Everyday Sneaker II")
    assert user.created_at == datetime(2024, 8, 16, 0, 29, 21, 349000, tzinfo=UTC)
    assert user.extra == {} and user.raw == USER_EXAMPLE


def test_numbers_sent_as_strings_and_strings_sent_as_numbers_are_both_read():
    user = parse_user(
        {"user_uid": 12345, "height": "180.5", "weight": " 72 ", "leg_length": "0,91", "age": 30,
         "shoeSize": 42.0, "phone": 612345678, "ycom": "n/a", "gender": None}
    )  # fmt: skip

    assert user.user_uid == "12345"
    assert (user.height, user.weight, user.leg_length) == (180.5, 72.0, 0.91)
    assert (user.age, user.shoe_size, user.phone) == ("30", "42", "612345678")
    assert user.ycom is None and user.gender is None


def test_missing_keys_are_none_and_unknown_keys_are_kept_in_extra():
    notes = {"text": "Hamstring strain", "updated_at": "2025-07-14T09:32:11.123Z"}

    user = parse_user({"user_uid": "u1", "notes": notes, "height": True, "created_at": "yesterday"})

    assert user.email is user.display_name is user.height is user.created_at is None
    assert user.extra == {"notes": notes}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-12-02T19:17:30.371Z", datetime(2024, 12, 2, 19, 17, 30, 371000, tzinfo=UTC)),
        ("2024-12-02T21:17:30+02:00", datetime(2024, 12, 2, 19, 17, 30, tzinfo=UTC)),
        ("2024-12-02T19:17:30", datetime(2024, 12, 2, 19, 17, 30, tzinfo=UTC)),  # naive: read as UTC
        ({"date": "02/12/2024", "time": "07:17 PM"}, datetime(2024, 12, 2, 19, 17, tzinfo=UTC)),
        (1733166000, None),
    ],
)
def test_created_at_is_an_aware_utc_datetime(value, expected):
    assert parse_user({"user_uid": "u", "created_at": value}).created_at == expected


def test_a_user_without_uid_or_a_body_without_users_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_user({"email": "a@example.com"})
    with pytest.raises(MalformedResponse):
        parse_users({"sessions": {}})


def test_users_keyed_by_uid_are_accepted_too():
    users = parse_users({"users": {"u1": {"display_name": "A"}, "u2": {"display_name": "B"}}})

    assert [(u.user_uid, u.display_name) for u in users] == [("u1", "A"), ("u2", "B")]


def test_a_filter_page_keeps_its_cursors_and_count():
    page = parse_user_page({"query_count": "12", "users": [USER_EXAMPLE], "first_uid": "a", "last_uid": "b"})

    assert (page.query_count, page.first_uid, page.last_uid, len(page.users)) == (12, "a", "b", 1)


def test_the_create_answer_is_the_userdata_object():
    created = parse_created_user(
        {"userData": {"user_uid": "MYmC7MzsPBNU6uSQBnJ0", "email": "user@gmail.com", "display_name": "User",
                      "phone": "932323232"}}
    )  # fmt: skip

    assert (created.user_uid, created.email, created.phone) == (
        "MYmC7MzsPBNU6uSQBnJ0",
        "user@gmail.com",
        "932323232",
    )
    with pytest.raises(MalformedResponse):
        parse_created_user({"user_uid": "x"})


def test_organization_status_of_the_reference_example():
    status = parse_organization_status(
        {"session_number": 50, "uid": "aB3xYz1PqW8LmTnK4R9VfJ0gHsCd", "role": "admin",
         "payment_type": "Enterprise", "activity": ["Running", "Weightlifting", "VerticalJump"],
         "companyName": "Apple", "name": "Username"}
    )  # fmt: skip

    assert status.is_admin
    assert (status.uid, status.plan, status.session_number) == (
        "aB3xYz1PqW8LmTnK4R9VfJ0gHsCd",
        "Enterprise",
        50,
    )
    assert status.activities == ["Running", "Weightlifting", "VerticalJump"]
    assert (status.company_name, status.name) == ("Apple", "Username")


@pytest.mark.parametrize(
    ("role", "admin"), [("admin", True), ("Admin", True), ("sub_admin", False), (None, False)]
)
def test_only_the_admin_role_is_admin(role, admin):
    assert OrganizationStatus(None, role, None, [], None, None, None).is_admin is admin


def test_null_company_and_name_stay_none():
    status = parse_organization_status({"uid": "u", "role": "admin", "activity": None, "companyName": None})

    assert status.company_name is None and status.activities == [] and status.session_number is None


# Requests the client sends -------------------------------------------------------------------------------


def client() -> AikynetixClient:
    return AikynetixClient("key", base_url=BASE, retries=0)


@responses.activate
def test_update_sends_wire_names_with_age_and_shoe_size_as_strings():
    responses.put(f"{BASE}{USERS_PATH}", json={"message": "User information updated successfully."})

    client().update_user("u1", shoe_size=42, age=31.0, height="180", shoe_model="Pegasus", weight=None)

    sent = responses.calls[0].request
    assert sent.body and json.loads(sent.body) == {
        "user_uid": "u1", "shoeSize": "42", "age": "31", "height": 180.0, "shoeModel": "Pegasus"
    }  # fmt: skip


@responses.activate
def test_get_user_uses_the_spec_path_without_a_trailing_slash_and_quotes_the_uid():
    responses.get(f"{BASE}/user-management/users/a%2Fb", json={"user_uid": "a/b"})

    assert client().get_user("a/b").user_uid == "a/b"
    assert responses.calls[0].request.url == f"{BASE}/user-management/users/a%2Fb"


@responses.activate
def test_create_sends_phone_only_when_given():
    responses.post(
        f"{BASE}{USERS_PATH}",
        status=201,
        json={"userData": {"user_uid": "u", "email": "a@b.co", "display_name": "A"}},
    )

    client().create_user(email="a@b.co", display_name="A")

    assert json.loads(responses.calls[0].request.body) == {
        "email": "a@b.co",
        "display_name": "A",
    }


@responses.activate
def test_a_201_without_userdata_is_an_unknown_outcome():
    responses.post(f"{BASE}{USERS_PATH}", status=201, json={"ok": True})

    with pytest.raises(WriteOutcomeUnknown):
        client().create_user(email="a@b.co", display_name="A")


@responses.activate
def test_a_quota_404_is_quota_reached_and_other_404s_stay_not_found():
    responses.post(
        f"{BASE}{USERS_PATH}", status=404, json={"error": "User creation limit reached for Pro plan."}
    )
    responses.put(f"{BASE}{USERS_PATH}", status=404, json={"error": "User is not under admin."})

    with pytest.raises(UserQuotaReached):
        client().create_user(email="a@b.co", display_name="A")
    with pytest.raises(UserNotUnderAdmin):
        client().update_user("u", age="3")


# The live docs' successor path ---------------------------------------------------------------------------


@responses.activate
def test_list_falls_back_to_the_client_management_path_when_the_documented_one_is_gone():
    responses.get(f"{BASE}{USERS_PATH}", status=404, body="<html><h1>Not Found</h1></html>")
    responses.get(f"{BASE}{CLIENTS_PATH}", json={"users": [USER_EXAMPLE]})

    users = client().list_users()

    assert [u.user_uid for u in users] == ["CMQe1HuAg4uMXqHE6dVO"]


@responses.activate
def test_list_does_not_fall_back_when_the_provider_says_there_are_no_users():
    responses.get(f"{BASE}{USERS_PATH}", status=404, json={"error": "No users found under admin"})

    assert client().list_users() == []
    assert len(responses.calls) == 1


@responses.activate
def test_list_does_not_fall_back_on_the_providers_own_404_error():
    responses.get(f"{BASE}{USERS_PATH}", status=404, json={"error": "Admin does not exist."})

    with pytest.raises(NotFound, match="Admin does not exist"):
        client().list_users()
    assert len(responses.calls) == 1


@responses.activate
def test_when_both_paths_are_gone_the_documented_paths_error_is_raised():
    responses.get(f"{BASE}{USERS_PATH}", status=404, body="<html>Not Found</html>")
    responses.get(f"{BASE}{CLIENTS_PATH}", status=404, body="<html>Not Found</html>")

    with pytest.raises(NotFound) as caught:
        client().list_users()

    assert CLIENTS_PATH not in caught.value.message


# Only documented query parameters ------------------------------------------------------------------------

DOCUMENTED_SESSION_FILTERS = {
    "activity", "start_date", "end_date", "title", "user_id", "limit", "start_after_id", "end_before_id"
}  # fmt: skip
DOCUMENTED_USER_FILTERS = {"start_after_id", "end_before_id", "limit"}


def sent_params(path: str) -> list[set[str]]:
    return [
        {name for name, _ in parse_qsl(urlsplit(call.request.url).query)}
        for call in responses.calls
        if urlsplit(call.request.url).path == path
    ]


@responses.activate
def test_no_default_call_sends_the_unconfirmed_session_filters():
    responses.get(
        f"{BASE}/session-management/sessions/filter/", status=404, json={"error": "No sessions found."}
    )
    responses.get(f"{BASE}/session-management/sessions/", status=404, json={"error": "No sessions found."})
    c = client()

    c.filter_sessions()
    c.filter_sessions(activity="running", start_date="01/01/2025", end_date="02/01/2025", title="t",
                      user_id="u", limit=3)  # fmt: skip
    list(c.iter_sessions(page_size=2))
    c.list_sessions()

    sent = sent_params("/session-management/sessions/filter/")
    assert len(sent) == 3
    assert all(params <= DOCUMENTED_SESSION_FILTERS for params in sent)
    assert all("processing_state" not in p and "uploaded_by" not in p for p in sent)


def test_the_unconfirmed_filters_are_refused_while_switched_off():
    with pytest.raises(ValueError, match="SEND_UNCONFIRMED_FILTERS"):
        client().filter_sessions(processing_state="processing")
    with pytest.raises(ValueError, match="SEND_UNCONFIRMED_FILTERS"):
        client().filter_sessions(uploaded_by="owner")


@responses.activate
def test_the_user_calls_send_only_documented_parameters():
    responses.get(f"{BASE}{USERS_FILTER_PATH}", status=404, json={"error": "No users found under admin"})
    responses.get(f"{BASE}{USERS_PATH}", status=404, json={"error": "No users found under admin"})
    c = client()

    c.list_users()
    c.filter_users()
    c.filter_users(limit=5, start_after_id="a", end_before_id="b")
    list(c.iter_users(page_size=5))

    assert sent_params(USERS_PATH) == [set()]
    assert sent_params(USERS_FILTER_PATH) == [set(), DOCUMENTED_USER_FILTERS, {"limit"}]
