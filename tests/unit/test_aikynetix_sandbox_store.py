"""The sandbox keeps working on a data dir written before clients had emails, attributes and quotas."""

import sqlite3

from coachportal.sandbox.aikynetix.store import KeyHolder, Store

OLD_SCHEMA = """
CREATE TABLE key_holders (api_key TEXT PRIMARY KEY, name TEXT NOT NULL, is_admin INTEGER NOT NULL,
    valid_plan INTEGER NOT NULL, owner_user_id TEXT NOT NULL, owner_user_name TEXT NOT NULL,
    processing_seconds REAL, auto_analyzed_video INTEGER NOT NULL DEFAULT 1);
CREATE TABLE users (api_key TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT NOT NULL,
    PRIMARY KEY (api_key, user_id));
INSERT INTO key_holders VALUES ('old-key', 'Old Club', 1, 1, 'ownerUid', 'Owner', NULL, 1);
INSERT INTO users VALUES ('old-key', 'oldAthlete', 'Old Athlete');
"""


def test_an_older_database_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    with sqlite3.connect(tmp_path / "aikynetix.sqlite3") as db:
        db.executescript(OLD_SCHEMA)

    store = Store(tmp_path, processing_seconds=1)
    store.set_user_quota("old-key", 3)
    store.add_user("old-key", "newAthlete", "New", email="new@example.com", attributes={"height": 180})

    holder = store.key_holder("old-key")
    assert (holder.name, holder.effective_role, holder.user_quota) == ("Old Club", "admin", 3)
    clients = {c.user_id: c for c in store.clients("old-key")}
    assert clients["oldAthlete"].user_name == "Old Athlete" and clients["oldAthlete"].email is None
    assert clients["newAthlete"].attributes == {"height": 180}
    assert store.client_by_email("NEW@example.com").user_id == "newAthlete"


def test_re_adding_a_client_keeps_its_details_and_creation_time(tmp_path):
    store = Store(tmp_path, processing_seconds=1)
    store.add_key_holder(KeyHolder("k", "Club", True, True, "owner", "Owner"))
    store.add_user("k", "u1", "Anna", email="anna@example.com", attributes={"age": "24"})
    created = store.client("k", "u1").created_at

    store.add_user("k", "u1", "Anna Berg")

    again = store.client("k", "u1")
    assert (again.user_name, again.email, again.attributes) == (
        "Anna Berg",
        "anna@example.com",
        {"age": "24"},
    )
    assert again.created_at == created
