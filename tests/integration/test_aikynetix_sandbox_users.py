"""The sandbox's user-management contract, seen with plain requests: shapes, codes, exact messages and
strictness (reference 12.1 and the vendor spec's /user-management/ paths)."""

import pytest
import requests

from coachportal.providers.aikynetix import client as client_module
from coachportal.sandbox.aikynetix import users as sandbox_users
from coachportal.sandbox.aikynetix.demo import (
    DEMO_API_KEY,
    DEMO_CLIENTS_WITHOUT_SESSIONS,
    DEMO_OWNER_USER_ID,
    DEMO_SESSIONS,
    DEMO_USERS,
)
from tests.fixtures.aikynetix_sandbox import running_sandbox

USER_KEYS = {
    "created_at", "weight", "age", "ycom", "height", "phone", "leg_length", "display_name", "shoeSize",
    "email", "gender", "brand", "shoeModel", "user_uid",
}  # fmt: skip


class Api:
    def __init__(self, sandbox, key):
        self.base = sandbox.base_url
        self.headers = {"API-KEY": key}

    def __call__(self, method, path, **kwargs):
        return requests.request(method, self.base + path, headers=self.headers, timeout=10, **kwargs)


@pytest.fixture
def org(aikynetix_sandbox):
    return aikynetix_sandbox.create_key_holder(users=0, name="Contract FC")


@pytest.fixture
def api(aikynetix_sandbox, org):
    return Api(aikynetix_sandbox, org.key)


def create(api, email, name="Anna"):
    return api("POST", "/user-management/users/", json={"email": email, "display_name": name})


def test_create_answers_201_with_userdata_and_the_user_has_every_documented_key(api):
    created = create(api, "c1@example.com")
    uid = created.json()["userData"]["user_uid"]
    one = api("GET", f"/user-management/users/{uid}")

    assert created.status_code == 201
    assert created.json() == {
        "userData": {"user_uid": uid, "email": "c1@example.com", "display_name": "Anna", "phone": None}
    }
    assert one.status_code == 200 and set(one.json()) == USER_KEYS
    assert one.json()["created_at"].endswith("Z") and len(one.json()["created_at"]) == 24


def test_empty_lists_are_404_no_users_found_under_admin(api):
    for path in ("/user-management/users/", "/user-management/users/filter/"):
        response = api("GET", path)
        assert (response.status_code, response.json()) == (404, {"error": "No users found under admin"})


@pytest.mark.parametrize(
    "body",
    [{"email": "x@example.com"}, {"display_name": "X"}, {"email": "", "display_name": "X"}, {}],
)
def test_create_without_email_or_name_is_400_with_the_documented_message(api, body):
    response = api("POST", "/user-management/users/", json=body)

    assert (response.status_code, response.json()) == (400, {"error": "Email and display name are required."})


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("POST", {"email": "t@example.com", "display_name": "T", "activities": ["Running"]}),
        ("POST", {"email": "t@example.com", "display_name": 5}),
        ("POST", {"email": "t@example.com", "display_name": "T", "phone": 612}),
        ("POST", {"email": "not-an-email", "display_name": "T"}),
        ("PUT", {"height": 180}),
        ("PUT", {"user_uid": "", "height": 180}),
    ],
)
def test_unknown_fields_wrong_types_and_a_missing_uid_are_400(api, method, body):
    response = api(method, "/user-management/users/", json=body)

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "change",
    [{"age": 30}, {"shoeSize": 42}, {"height": "180"}, {"weight": True}, {"notes": "x"}, {"shoe_size": "42"}],
)
def test_update_refuses_wrong_types_and_undocumented_names(api, change):
    uid = create(api, f"u-{next(iter(change))}@example.com").json()["userData"]["user_uid"]

    response = api("PUT", "/user-management/users/", json={"user_uid": uid, **change})

    assert response.status_code == 400


def test_update_answers_the_documented_message(api):
    uid = create(api, "upd@example.com").json()["userData"]["user_uid"]

    response = api("PUT", "/user-management/users/", json={"user_uid": uid, "age": "23", "height": 175})

    assert response.json() == {"message": "User information updated successfully."}
    assert api("GET", f"/user-management/users/{uid}").json()["age"] == "23"


def test_put_without_a_uid_says_so(api):
    response = api("PUT", "/user-management/users/", json={"height": 180})

    assert response.json() == {"error": "User UID is required."}


def test_another_admins_user_is_not_under_this_admin_with_each_endpoints_message(aikynetix_sandbox, api):
    other = Api(aikynetix_sandbox, aikynetix_sandbox.create_key_holder(users=0).key)
    uid = create(other, "foreign@example.com").json()["userData"]["user_uid"]

    got = api("GET", f"/user-management/users/{uid}")
    put = api("PUT", "/user-management/users/", json={"user_uid": uid, "height": 1})
    deleted = api("DELETE", "/user-management/users/", json={"user_uid": uid})

    assert (got.status_code, got.json()) == (404, {"error": "User is not under this admin"})
    assert (put.status_code, put.json()) == (404, {"error": "User is not under admin."})
    assert (deleted.status_code, deleted.json()) == (404, {"error": "User is not under admin."})


def test_the_one_user_path_has_no_trailing_slash(api):
    uid = create(api, "slash@example.com").json()["userData"]["user_uid"]

    assert api("GET", f"/user-management/users/{uid}").status_code == 200
    assert api("GET", f"/user-management/users/{uid}/").status_code == 404


def test_undocumented_query_parameters_are_400(api):
    create(api, "q@example.com")

    assert api("GET", "/user-management/users/?limit=5").json() == {"error": "Invalid parameters provided."}
    assert api("GET", "/user-management/users/filter/?limit=10&activity=Running").status_code == 400
    assert api("GET", "/user-management/users/filter/?limit=0").status_code == 400


def test_the_filter_defaults_to_five_users(api):
    for i in range(6):
        create(api, f"five{i}@example.com", f"F{i}")

    body = api("GET", "/user-management/users/filter/").json()

    assert body["query_count"] == 6 and len(body["users"]) == 5
    assert (body["first_uid"], body["last_uid"]) == (
        body["users"][0]["user_uid"],
        body["users"][-1]["user_uid"],
    )


def test_the_quota_knob_answers_the_documented_404(aikynetix_sandbox, api, org):
    aikynetix_sandbox.set_user_quota(org.key, 1)
    create(api, "quota1@example.com")

    response = create(api, "quota2@example.com")

    assert (response.status_code, response.json()) == (
        404,
        {"error": "User creation limit reached for Pro plan."},
    )
    assert [u["email"] for u in aikynetix_sandbox.users(org.key)] == ["quota1@example.com"]


def test_the_quota_flag_applies_to_every_admin(tmp_path):
    with running_sandbox(tmp_path / "quota", extra_args=("--user-quota", "0")) as sandbox:
        api = Api(sandbox, sandbox.create_key_holder(users=0).key)
        refused = create(api, "none@example.com")

    assert refused.status_code == 404


def test_a_duplicate_email_is_400_across_admins(aikynetix_sandbox, api):
    other = Api(aikynetix_sandbox, aikynetix_sandbox.create_key_holder(users=0).key)
    create(other, "Shared@example.com")

    response = create(api, "shared@EXAMPLE.com")

    assert response.status_code == 400
    assert response.json() == {"error": "The email address is already in use by another account."}


def test_organization_status_has_the_documented_shape(aikynetix_sandbox):
    org = aikynetix_sandbox.create_key_holder(users=1, name="Shape FC", plan="Pro")

    body = Api(aikynetix_sandbox, org.key)("GET", "/user-management/organization-status/").json()

    assert body == {
        "session_number": 0,
        "uid": org.owner_user_id,
        "role": "admin",
        "payment_type": "Pro",
        "activity": ["Running", "Weightlifting", "VerticalJump"],
        "companyName": "Shape FC",
        "name": "Shape FC",
    }


def test_non_admin_keys_get_403_on_user_management(aikynetix_sandbox):
    plain = Api(aikynetix_sandbox, aikynetix_sandbox.create_key_holder(admin=False, users=0).key)
    sub = Api(aikynetix_sandbox, aikynetix_sandbox.create_key_holder(role="sub_admin", users=0).key)

    assert plain("GET", "/user-management/users/").json() == {
        "error": "You do not have permission to access this data."
    }
    for api in (plain, sub):
        assert api("GET", "/user-management/users/filter/").status_code == 403
        assert create(api, "no@example.com").json() == {"error": "You must be an admin to access this data."}
    assert plain("GET", "/user-management/organization-status/").status_code == 403
    assert sub("GET", "/user-management/organization-status/").json()["role"] == "sub_admin"


def test_client_and_sandbox_agree_on_the_paths():
    assert client_module.USERS_PATH == sandbox_users.USERS
    assert client_module.USERS_FILTER_PATH == sandbox_users.USERS + "filter/"


def test_the_demo_admin_has_clients_with_and_without_sessions_and_is_not_one_of_them(tmp_path):
    with running_sandbox(tmp_path / "demo", extra_args=("--demo",)) as sandbox:
        client = sandbox.client(DEMO_API_KEY)
        users = {u.user_uid: u for u in client.list_users()}
        with_sessions = {s.user_id for s in client.list_sessions()}
        status = client.organization_status()

    fresh = {u.user_id for u in DEMO_CLIENTS_WITHOUT_SESSIONS}
    assert set(users) == {u.user_id for u in DEMO_USERS} | fresh
    assert fresh and not fresh & with_sessions
    assert all(users[uid].height and users[uid].age and users[uid].email for uid in fresh)
    assert status.uid == DEMO_OWNER_USER_ID not in users
    assert status.session_number == len(DEMO_SESSIONS)
