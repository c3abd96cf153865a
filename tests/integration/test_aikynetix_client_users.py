"""An admin's clients (athletes) through the user-management endpoints, over real HTTP to the sandbox."""

from datetime import UTC, datetime

import pytest

from coachportal.providers.aikynetix import (
    AikynetixError,
    ClientUser,
    EmailAlreadyInUse,
    InvalidRequest,
    NotFound,
    NotPermitted,
    ProviderUnavailable,
    UserNotUnderAdmin,
    UserQuotaReached,
    WriteOutcomeUnknown,
)
from tests.fixtures.processes import free_port


@pytest.fixture
def org(aikynetix_sandbox):
    """An admin key whose admin has no clients yet."""
    return aikynetix_sandbox.create_key_holder(users=0, name="Riverside", plan="Pro")


@pytest.fixture
def client(aikynetix_sandbox, org):
    return aikynetix_sandbox.client(org.key)


@pytest.fixture
def sandbox(aikynetix_faults):
    return aikynetix_faults


def unique_email(tag: str) -> str:
    return f"{tag}-{datetime.now(UTC).timestamp():.6f}@example.com".replace(".", "", 1)


def test_an_admin_without_clients_lists_none(client):
    assert client.list_users() == []
    page = client.filter_users()
    assert page.users == [] and page.query_count == 0 and page.last_uid is None
    assert list(client.iter_users(page_size=5)) == []


def test_a_created_client_is_listed_fetched_and_can_receive_uploads(client, org, aikynetix_video):
    email = unique_email("anna")

    created = client.create_user(email=email, display_name="Anna Berg", phone="0612345678")
    listed = client.list_users()
    fetched = client.get_user(created.user_uid)
    upload = client.upload_running(aikynetix_video, user_id=created.user_uid, session_name="first run")

    assert isinstance(created, ClientUser)
    assert (created.email, created.display_name, created.phone) == (email, "Anna Berg", "0612345678")
    assert [u.user_uid for u in listed] == [created.user_uid]
    assert (fetched.email, fetched.display_name) == (email, "Anna Berg")
    assert fetched.created_at is not None and fetched.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - fetched.created_at).total_seconds()) < 300
    assert fetched.height is None and fetched.age is None
    session = client.list_sessions()[0]
    assert (session.id, session.user_id, session.user_name) == (
        upload.session_id,
        created.user_uid,
        "Anna Berg",
    )


def test_the_key_owner_is_never_one_of_its_clients(client, org, aikynetix_sandbox):
    client.create_user(email=unique_email("leo"), display_name="Leo")

    status = client.organization_status()

    assert status.uid == org.owner_user_id
    assert status.uid not in {u.user_uid for u in client.list_users()}
    with pytest.raises(UserNotUnderAdmin):
        client.get_user(org.owner_user_id)


def test_attributes_are_written_and_read_back_with_the_documented_types(client, aikynetix_sandbox, org):
    uid = client.create_user(email=unique_email("maya"), display_name="Maya").user_uid

    client.update_user(
        uid, height=171.5, weight=63, leg_length="0.89", ycom=0.93, gender="Female", age=21,
        shoe_size=40.5, brand="Asics", shoe_model="Novablast", display_name="Maya Okafor",
    )  # fmt: skip
    user = client.get_user(uid)
    wire = next(u for u in aikynetix_sandbox.users(org.key) if u["user_uid"] == uid)

    assert (user.height, user.weight, user.leg_length, user.ycom) == (171.5, 63.0, 0.89, 0.93)
    assert (user.gender, user.age, user.shoe_size) == ("Female", "21", "40.5")
    assert (user.brand, user.shoe_model, user.display_name) == ("Asics", "Novablast", "Maya Okafor")
    assert wire["age"] == "21" and wire["shoeSize"] == "40.5" and wire["leg_length"] == 0.89


def test_update_refuses_undocumented_attributes_before_sending(client):
    with pytest.raises(TypeError, match="notes"):
        client.update_user("anything", notes="hamstring")


def test_update_without_any_attribute_sends_nothing(sandbox, client):
    sandbox.set_faults(error_rate=1.0, methods=["PUT"])

    assert client.update_user("anything", height=None) is None  # no request, so no fault either


def test_a_user_of_another_admin_is_not_under_this_admin(aikynetix_sandbox, client):
    other = aikynetix_sandbox.create_key_holder(users=0)
    stranger = aikynetix_sandbox.client(other.key).create_user(email=unique_email("x"), display_name="X")

    with pytest.raises(UserNotUnderAdmin) as on_get:
        client.get_user(stranger.user_uid)
    with pytest.raises(UserNotUnderAdmin) as on_put:
        client.update_user(stranger.user_uid, height=180)
    with pytest.raises(UserNotUnderAdmin):
        client.delete_user(stranger.user_uid)

    assert on_get.value.message == "User is not under this admin"
    assert on_put.value.message == "User is not under admin."
    assert isinstance(on_get.value, NotFound) and on_get.value.status == 404


def test_a_made_up_id_is_not_under_this_admin(client):
    with pytest.raises(UserNotUnderAdmin):
        client.get_user("madeUpUid0000000000x")


def test_missing_email_or_name_is_refused_with_the_providers_message(client):
    with pytest.raises(InvalidRequest) as caught:
        client.create_user(email="", display_name="No Email")

    assert caught.value.status == 400
    assert caught.value.message == "Email and display name are required."
    assert client.list_users() == []


def test_the_user_quota_is_a_quota_not_a_missing_page(aikynetix_sandbox, client, org):
    aikynetix_sandbox.set_user_quota(org.key, 2)
    client.create_user(email=unique_email("a"), display_name="A")
    client.create_user(email=unique_email("b"), display_name="B")

    with pytest.raises(UserQuotaReached) as caught:
        client.create_user(email=unique_email("c"), display_name="C")

    assert not isinstance(caught.value, NotFound)
    assert isinstance(caught.value, AikynetixError) and not caught.value.retryable
    assert caught.value.message == "User creation limit reached for Pro plan."
    assert len(client.list_users()) == 2
    aikynetix_sandbox.set_user_quota(org.key, None)
    client.create_user(email=unique_email("c"), display_name="C")


def test_an_email_already_in_use_is_refused_not_duplicated(client):
    email = unique_email("dup")
    client.create_user(email=email, display_name="First")

    with pytest.raises(EmailAlreadyInUse) as caught:
        client.create_user(email=email.upper(), display_name="Second")

    assert isinstance(caught.value, InvalidRequest) and caught.value.status == 400
    assert [u.display_name for u in client.list_users()] == ["First"]


def test_changing_an_email_to_one_in_use_is_refused(client):
    taken = unique_email("taken")
    client.create_user(email=taken, display_name="Holder")
    uid = client.create_user(email=unique_email("mover"), display_name="Mover").user_uid

    with pytest.raises(EmailAlreadyInUse):
        client.update_user(uid, email=taken)

    assert client.get_user(uid).email != taken


def test_delete_removes_the_client(client):
    uid = client.create_user(email=unique_email("del"), display_name="Gone").user_uid

    message = client.delete_user(uid)

    assert message == f"User with UID {uid} deleted from admin"
    assert client.list_users() == []


def test_twelve_clients_are_walked_in_pages_of_five(aikynetix_sandbox, client):
    uids = [client.create_user(email=unique_email(f"p{i}"), display_name=f"P{i}").user_uid for i in range(12)]

    first = client.filter_users(limit=5)
    walked = list(client.iter_users(page_size=5))
    back = client.filter_users(
        limit=5, end_before_id=client.filter_users(limit=5, start_after_id=first.last_uid).first_uid
    )

    assert first.query_count == 12 and len(first.users) == 5
    assert (first.first_uid, first.last_uid) == (first.users[0].user_uid, first.users[-1].user_uid)
    assert sorted(u.user_uid for u in walked) == sorted(uids)
    assert len(walked) == 12
    assert [u.user_uid for u in back.users] == [u.user_uid for u in first.users]
    assert client.filter_users(start_after_id=walked[-1].user_uid).users == []


def test_the_walk_asks_three_pages_for_twelve_clients(aikynetix_sandbox, client, monkeypatch):
    for i in range(12):
        client.create_user(email=unique_email(f"w{i}"), display_name=f"W{i}")
    cursors = []
    real = type(client).filter_users

    def spy(self, **kwargs):
        cursors.append(kwargs.get("start_after_id"))
        return real(self, **kwargs)

    monkeypatch.setattr(type(client), "filter_users", spy)

    assert len(list(client.iter_users(page_size=5))) == 12
    assert len(cursors) == 3 and cursors[0] is None and None not in cursors[1:]


def test_organization_status_of_an_admin_key(aikynetix_sandbox):
    org = aikynetix_sandbox.create_key_holder(
        users=0, name="Hilltop", plan="Pro", activities=["Running", "VerticalJump"]
    )

    status = aikynetix_sandbox.client(org.key).organization_status()

    assert status.is_admin and status.role == "admin"
    assert (status.plan, status.activities) == ("Pro", ["Running", "VerticalJump"])
    assert (status.uid, status.company_name, status.session_number) == (org.owner_user_id, "Hilltop", 0)


def test_organization_status_of_a_sub_admin_key_says_it_is_not_the_admin(aikynetix_sandbox):
    org = aikynetix_sandbox.create_key_holder(users=0, role="sub_admin")

    status = aikynetix_sandbox.client(org.key).organization_status()

    assert status.role == "sub_admin" and not status.is_admin


def test_a_plain_users_key_may_not_manage_clients(aikynetix_sandbox):
    org = aikynetix_sandbox.create_key_holder(admin=False, users=0)
    client = aikynetix_sandbox.client(org.key)

    with pytest.raises(NotPermitted) as on_status:
        client.organization_status()
    with pytest.raises(NotPermitted) as on_list:
        client.list_users()
    with pytest.raises(NotPermitted):
        client.create_user(email=unique_email("n"), display_name="N")

    assert on_status.value.message == "You must be an admin to access this data."
    assert on_list.value.message == "You do not have permission to access this data."


def test_a_create_answered_with_a_dropped_connection_is_an_unknown_outcome(sandbox, client):
    email = unique_email("lost")
    sandbox.set_faults(drop_after_write=True, match="/user-management/users/")

    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.create_user(email=email, display_name="Lost Answer")

    assert caught.value.ambiguous and caught.value.retryable
    sandbox.reset_faults()
    assert [u.email for u in client.list_users()] == [email]  # reconcile by email before creating again


def test_a_create_cut_off_mid_answer_is_an_unknown_outcome(sandbox, client):
    sandbox.set_faults(drop_connection=True, methods=["POST"])

    with pytest.raises(WriteOutcomeUnknown):
        client.create_user(email=unique_email("half"), display_name="Half")


def test_a_create_answered_too_late_is_an_unknown_outcome(sandbox, aikynetix_sandbox, org):
    sandbox.set_faults(hang_seconds=3, methods=["POST"])
    client = aikynetix_sandbox.client(org.key, timeout=(1.0, 0.5))

    with pytest.raises(WriteOutcomeUnknown):
        client.create_user(email=unique_email("late"), display_name="Late")


def test_an_update_with_a_lost_answer_is_an_unknown_outcome(sandbox, client):
    uid = client.create_user(email=unique_email("u"), display_name="U").user_uid
    sandbox.set_faults(drop_after_write=True, methods=["PUT"])

    with pytest.raises(WriteOutcomeUnknown):
        client.update_user(uid, weight=70)

    sandbox.reset_faults()
    assert client.get_user(uid).weight == 70


def test_a_server_error_on_create_is_an_unknown_outcome_and_never_retried(sandbox, aikynetix_sandbox, org):
    sandbox.set_faults(error_rate=1.0, times=2, methods=["POST"])
    client = aikynetix_sandbox.client(org.key, retries=3)

    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.create_user(email=unique_email("e"), display_name="E")

    assert caught.value.status == 500
    assert sandbox.faults()["times"] == 1  # one attempt only


def test_reads_of_clients_are_retried_through_server_errors(sandbox, aikynetix_sandbox, org):
    sandbox.set_faults(error_rate=1.0, times=2, methods=["GET"], match="/user-management/")

    assert aikynetix_sandbox.client(org.key, retries=3).list_users() == []
    assert sandbox.faults()["error_rate"] == 0  # both faulty answers were consumed by retries


def test_a_refused_connection_before_sending_is_plainly_unavailable(aikynetix_sandbox):
    client = aikynetix_sandbox.client("k", retries=0)
    client.base_url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(ProviderUnavailable) as caught:
        client.create_user(email="a@example.com", display_name="A")

    assert not isinstance(caught.value, WriteOutcomeUnknown)
    assert not caught.value.ambiguous
