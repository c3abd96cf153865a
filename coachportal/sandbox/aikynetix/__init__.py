"""A contract-faithful AiKYNETIX sandbox: a real HTTP server for development, the demo and tests.

Start it with `python -m coachportal.sandbox.aikynetix --port 8765 --data-dir DIR` or
`manage.py aikynetix_sandbox ...` (same options; `--help` lists them, including every fault knob).

API (as reference/aikynetix-api.md and DESIGN.md section 9 describe it): uploads at
`POST /{running,jumping,weightlifting}/sessions/` and `.../management/sessions/`, the session list,
filter (`/session-management/sessions/filter/`), fetch-by-ids (`POST /session-management/sessions/by-ids/`,
path unconfirmed upstream), update/delete (`/session-management/sessions/{id}`, with or without slash) and
analysed video (`/session-management/sessions/{id}/analyzed-video/`), and user management (the admin's
clients: `/user-management/users/` GET/POST/PUT/DELETE, `.../users/filter/`, `.../users/{uid}` and
`/user-management/organization-status/`; see users.py for the choices where the docs are silent).
Keys go in `API-KEY: <key>` or `Authorization: API-KEY <key>`. Uploaded and analysed videos are
served at `/media/{id}/...` with Range support. Sessions show `processing_state` (processing |
completed | failed) and gain metrics and an analysed video once `--processing-seconds` have passed
since upload.

Control API (no auth; JSON in and out; never part of the provider's contract):

- `GET /__sandbox__/health` -> `{"ok": true, "sessions": n}`.
- `POST /__sandbox__/key-holders` `{"name", "key"?, "admin": true, "valid_plan": true,
  "owner_user_id"?, "owner_user_name"?, "users": [{"user_id", "user_name", "email"?, "phone"?,
  "height"?, ...}], "processing_seconds"?, "auto_analyzed_video": true, "role"? (admin | sub_admin |
  user; overrides admin), "plan"?, "activities"?, "user_quota"?}`
  -> 201 `{"key", "name", "admin", "valid_plan", "owner_user_id", "users"}`. A key-holder is an organization
  on the provider's side; `admin` keys may use the management uploads and session management.
  `auto_analyzed_video: false` leaves finished sessions without an analysed video until the
  analyzed-video GET or POST creates it.
- `POST /__sandbox__/key-holders/{key}/users` `{"user_id", "user_name", "email"?, ...}` -> 201
  `{"users": [...]}`; `GET` on the same path lists the key-holder's clients in the provider's shape.
- `PUT /__sandbox__/key-holders/{key}/user-quota` `{"user_quota": n | null}`: creates beyond n clients
  answer 404 "User creation limit reached for Pro plan." (`--user-quota` sets it for every key-holder).
- `GET|PUT|DELETE /__sandbox__/faults`: read, replace (unnamed knobs reset) or clear the fault knobs:
  `latency_ms`, `error_rate` (0..1, answers 500), `reject_keys`, `hang_seconds`, `malformed_json`,
  `drop_connection` (mid-answer), `drop_after_upload` (session created, no answer), `drop_after_write`
  (any POST/PUT/DELETE acted on, no answer), scoped by `match` (path substring), `methods`
  (e.g. ["GET"]) and `times` (fault this many requests, then clear).
- `POST /__sandbox__/sessions/{id}/complete` ends processing now; `.../fail` marks the session failed.
- `POST /__sandbox__/reset` `{"demo": false}` wipes every key-holder, session and file and clears faults.
- `POST /__sandbox__/demo` seeds the demo (see demo.py: DEMO_API_KEY, DEMO_USERS, DEMO_SESSIONS and
  DEMO_CLIENTS_WITHOUT_SESSIONS).
"""
