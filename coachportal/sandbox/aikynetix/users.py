"""User management (the admin's clients, reference 12.1): the endpoints, strict about what they accept.

Decisions where the documents are silent (kept strict so a client that works here sends only what the
spec names):
- Roles: only an admin key manages clients. The list answers a non-admin 403 "You do not have
  permission to access this data." (its spec example), every other users endpoint 403 "You must be an
  admin to access this data.". Organization status also serves a sub-admin (role `sub_admin`), as its
  description says; a plain user's key gets the 403.
- The key owner (organization-status `uid`) is the admin, not one of its clients: never listed.
- An email already used by any client (of any admin: the provider's accounts are account-wide) is
  refused on create and update with 400 "The email address is already in use by another account."
- Unknown body fields, unknown query parameters and wrong JSON types are 400. A PUT with nothing but
  `user_uid` is 400 "No fields to update.". `GET /user-management/users/{uid}/` (with the slash) is 404.
- The quota (per key-holder, or the server's `--user-quota`) counts the admin's current clients.
"""

from __future__ import annotations

import math
import re
import secrets
import string
from datetime import UTC
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .store import DEFAULT_ACTIVITIES, ClientRow, KeyHolder, Store
from .wire import ApiError, json_body, json_response

NOT_ADMIN = "You must be an admin to access this data."
LIST_NOT_PERMITTED = "You do not have permission to access this data."
NO_USERS = "No users found under admin"
NOT_UNDER_THIS_ADMIN = "User is not under this admin"  # GET one
NOT_UNDER_ADMIN = "User is not under admin."  # PUT and DELETE
QUOTA_REACHED = "User creation limit reached for Pro plan."
REQUIRED = "Email and display name are required."
UID_REQUIRED = "User UID is required."
EMAIL_TAKEN = "The email address is already in use by another account."
INVALID_PARAMETERS = "Invalid parameters provided."
UPDATED = "User information updated successfully."

CREATE_FIELDS = frozenset({"email", "display_name", "phone"})
# PUT fields -> JSON type; attributes other than display_name/email live in ClientRow.attributes.
UPDATE_FIELDS = {
    "display_name": str,
    "email": str,
    "height": float,
    "ycom": float,
    "leg_length": float,
    "weight": float,
    "gender": str,
    "age": str,
    "shoeSize": str,
    "brand": str,
    "shoeModel": str,
}
ATTRIBUTES = ("weight", "age", "ycom", "height", "leg_length", "shoeSize", "gender", "brand", "shoeModel")
FILTER_PARAMS = frozenset({"start_after_id", "end_before_id", "limit"})
DEFAULT_FILTER_LIMIT = 5
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UID_ALPHABET = string.ascii_letters + string.digits

USERS = "/user-management/users/"
USER_RULES = [
    Rule(USERS, methods=["GET"], endpoint="list_users"),
    Rule(USERS, methods=["POST"], endpoint="create_user"),
    Rule(USERS, methods=["PUT"], endpoint="update_user"),
    Rule(USERS, methods=["DELETE"], endpoint="delete_user"),
    Rule(USERS + "filter/", methods=["GET"], endpoint="filter_users"),
    # No trailing slash in the spec, and strict about it: ".../<uid>/" is 404.
    Rule(USERS + "<user_uid>", methods=["GET"], endpoint="get_user", strict_slashes=True),
    Rule("/user-management/organization-status/", methods=["GET"], endpoint="organization_status"),
]


def user_doc(client: ClientRow) -> dict[str, Any]:
    """A user as the list, filter and one-user answers show it: every documented key, null when unset."""
    created = client.created_at.astimezone(UTC)
    doc: dict[str, Any] = {"created_at": f"{created:%Y-%m-%dT%H:%M:%S}.{created.microsecond // 1000:03d}Z"}
    doc.update({name: client.attributes.get(name) for name in ATTRIBUTES})
    doc.update(phone=client.phone, display_name=client.user_name, email=client.email, user_uid=client.user_id)
    return doc


def new_uid() -> str:
    """A Firebase-style 20-character document id."""
    return "".join(secrets.choice(_UID_ALPHABET) for _ in range(20))


class UserManagement:
    """Handlers of USER_RULES, mixed into SandboxApp (which provides `store`)."""

    store: Store

    def list_users(self, request: Request, holder: KeyHolder) -> Response:
        if not holder.is_admin:
            raise ApiError(403, LIST_NOT_PERMITTED)
        _no_params(request)
        clients = self.store.clients(holder.api_key)
        if not clients:
            raise ApiError(404, NO_USERS)
        return json_response({"users": [user_doc(c) for c in clients]})

    def filter_users(self, request: Request, holder: KeyHolder) -> Response:
        _admin(holder)
        args = request.args
        if set(args) - FILTER_PARAMS:
            raise ApiError(400, INVALID_PARAMETERS)
        try:
            limit = int(args.get("limit", str(DEFAULT_FILTER_LIMIT)))
        except ValueError:
            raise ApiError(400, "limit must be a positive integer") from None
        if limit < 1:
            raise ApiError(400, "limit must be a positive integer")
        rows = self.store.clients(holder.api_key)
        count = len(rows)
        uids = [row.user_id for row in rows]
        after, before = args.get("start_after_id"), args.get("end_before_id")
        for name, cursor in (("start_after_id", after), ("end_before_id", before)):
            if cursor and cursor not in uids:
                raise ApiError(400, f"Invalid {name}: user {cursor} not found")
        if after:
            rows = rows[uids.index(after) + 1 :]
        if before:
            kept = [row.user_id for row in rows]
            rows = rows[: kept.index(before)] if before in kept else []
            page = rows[-limit:]  # Firestore's end_before + limit_to_last
        else:
            page = rows[:limit]
        if not page:
            raise ApiError(404, NO_USERS)
        return json_response(
            {
                "query_count": count,
                "users": [user_doc(c) for c in page],
                "first_uid": page[0].user_id,
                "last_uid": page[-1].user_id,
            }
        )

    def get_user(self, request: Request, holder: KeyHolder, user_uid: str) -> Response:
        _admin(holder)
        _no_params(request)
        client = self.store.client(holder.api_key, user_uid)
        if client is None:
            raise ApiError(404, NOT_UNDER_THIS_ADMIN)
        return json_response(user_doc(client))

    def create_user(self, request: Request, holder: KeyHolder) -> Response:
        _admin(holder)
        body = json_body(request)
        _known_fields(body, CREATE_FIELDS)
        for name in CREATE_FIELDS & set(body):
            _require_type(name, body[name], str)
        email = body.get("email", "").strip()
        display_name = body.get("display_name", "").strip()
        if not email or not display_name:
            raise ApiError(400, REQUIRED)
        _valid_email(email)
        quota = self.store.user_quota(holder)
        if quota is not None and self.store.count_clients(holder.api_key) >= quota:
            raise ApiError(404, QUOTA_REACHED)
        if self.store.client_by_email(email) is not None:
            raise ApiError(400, EMAIL_TAKEN)
        phone = body.get("phone")
        uid = new_uid()
        self.store.add_user(holder.api_key, uid, display_name, email=email, phone=phone, attributes={})
        data = {"user_uid": uid, "email": email, "display_name": display_name, "phone": phone}
        return json_response({"userData": data}, 201)

    def update_user(self, request: Request, holder: KeyHolder) -> Response:
        _admin(holder)
        body = json_body(request)
        _known_fields(body, {"user_uid", *UPDATE_FIELDS})
        client = self._own_client(holder, body)
        changes = {name: value for name, value in body.items() if name != "user_uid"}
        if not changes:
            raise ApiError(400, "No fields to update.")
        for name, value in changes.items():
            _require_type(name, value, UPDATE_FIELDS[name])
        if "display_name" in changes:
            if not changes["display_name"].strip():
                raise ApiError(400, "display_name must not be empty.")
            client.user_name = changes.pop("display_name").strip()
        if "email" in changes:
            email = changes.pop("email").strip()
            _valid_email(email)
            other = self.store.client_by_email(email)
            if other is not None and (other.api_key, other.user_id) != (client.api_key, client.user_id):
                raise ApiError(400, EMAIL_TAKEN)
            client.email = email
        client.attributes.update(changes)
        self.store.update_client(client)
        return json_response({"message": UPDATED})

    def delete_user(self, request: Request, holder: KeyHolder) -> Response:
        _admin(holder)
        body = json_body(request)
        _known_fields(body, {"user_uid"})
        client = self._own_client(holder, body)
        self.store.delete_client(holder.api_key, client.user_id)
        return json_response({"message": f"User with UID {client.user_id} deleted from admin"})

    def organization_status(self, request: Request, holder: KeyHolder) -> Response:
        _no_params(request)
        role = holder.effective_role
        if role not in {"admin", "sub_admin"}:
            raise ApiError(403, NOT_ADMIN)
        plan = holder.plan or ("Enterprise" if holder.valid_plan else "Basic")
        return json_response(
            {
                "session_number": self.store.count_sessions(holder.api_key),
                "uid": holder.owner_user_id,
                "role": role,
                "payment_type": plan,
                "activity": list(holder.activities if holder.activities is not None else DEFAULT_ACTIVITIES),
                "companyName": holder.name or None,
                "name": holder.owner_user_name or None,
            }
        )

    def _own_client(self, holder: KeyHolder, body: dict[str, Any]) -> ClientRow:
        uid = body.get("user_uid")
        if not isinstance(uid, str) or not uid.strip():
            raise ApiError(400, UID_REQUIRED)
        client = self.store.client(holder.api_key, uid.strip())
        if client is None:
            raise ApiError(404, NOT_UNDER_ADMIN)
        return client


def _admin(holder: KeyHolder) -> None:
    if not holder.is_admin:
        raise ApiError(403, NOT_ADMIN)


def _no_params(request: Request) -> None:
    if request.args:
        raise ApiError(400, INVALID_PARAMETERS)


def _known_fields(body: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}.")


def _require_type(name: str, value: Any, kind: type) -> None:
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < 0:
            raise ApiError(400, f"{name} must be a non-negative number.")
    elif not isinstance(value, kind):
        raise ApiError(400, f"{name} must be a string.")


def _valid_email(email: str) -> None:
    if not _EMAIL.match(email):
        raise ApiError(400, "Invalid email address.")
