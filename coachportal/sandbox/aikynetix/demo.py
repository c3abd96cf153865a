"""The deterministic demo: one admin key-holder, four athletes and six analysed sessions.

The portal's demo seeding imports these constants, so its athletes match the sandbox's user ids.
The key is obviously fake and only ever valid against the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Store

DEMO_API_KEY = "sandbox-demo-aikynetix-admin"
DEMO_ORGANIZATION_NAME = "Demo Athletics Club"
DEMO_OWNER_USER_ID = "demoAdminUid0000000000000001"
DEMO_OWNER_USER_NAME = "Demo Club Admin"


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    user_name: str


@dataclass(frozen=True)
class DemoSession:
    session_id: str
    user_id: str
    activity: str  # as sessions carry it: Running | Vertical Jump | Weightlifting
    title: str
    created_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)


DEMO_USERS = (
    DemoUser("demoAthleteAnnaBerg01", "Anna Berg"),
    DemoUser("demoAthleteLeoMartin1", "Leo Martin"),
    DemoUser("demoAthleteMayaOkafo1", "Maya Okafor"),
    DemoUser("demoAthleteTomasNovak", "Tomas Novak"),
)

DEMO_SESSIONS = (
    DemoSession(
        "d3m0000000000000000000000000a001",
        "demoAthleteAnnaBerg01",
        "Running",
        "Tempo run, treadmill",
        datetime(2025, 3, 3, 8, 15, tzinfo=UTC),
        {"incline_degree": "1"},
    ),
    DemoSession(
        "d3m0000000000000000000000000a002",
        "demoAthleteLeoMartin1",
        "Running",
        "Easy run, track",
        datetime(2025, 3, 5, 17, 40, tzinfo=UTC),
    ),
    DemoSession(
        "d3m0000000000000000000000000a003",
        "demoAthleteMayaOkafo1",
        "Vertical Jump",
        "CMJ testing day",
        datetime(2025, 3, 7, 10, 5, tzinfo=UTC),
        {"exercise": "Countermovement Jump"},
    ),
    DemoSession(
        "d3m0000000000000000000000000a004",
        "demoAthleteAnnaBerg01",
        "Vertical Jump",
        "Drop jumps 40 cm",
        datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
        {"exercise": "Drop Jump"},
    ),
    DemoSession(
        "d3m0000000000000000000000000a005",
        "demoAthleteTomasNovak",
        "Weightlifting",
        "Snatch technique",
        datetime(2025, 3, 12, 0, 30, tzinfo=UTC),
        {"exercise": "snatch", "barbell_mass": "60"},
    ),
    DemoSession(
        "d3m0000000000000000000000000a006",
        "demoAthleteLeoMartin1",
        "Weightlifting",
        "Clean and jerk, heavy single",
        datetime(2025, 3, 14, 12, 45, tzinfo=UTC),
        {"exercise": "clean_and_jerk", "barbell_mass": "90"},
    ),
)


def seed(store: Store) -> None:
    """Create the demo key-holder, users and finished sessions; safe to run again."""
    from . import metrics
    from .store import COMPLETED, KeyHolder, SessionRow

    store.add_key_holder(
        KeyHolder(
            api_key=DEMO_API_KEY,
            name=DEMO_ORGANIZATION_NAME,
            is_admin=True,
            valid_plan=True,
            owner_user_id=DEMO_OWNER_USER_ID,
            owner_user_name=DEMO_OWNER_USER_NAME,
        )
    )
    names = {}
    for user in DEMO_USERS:
        store.add_user(DEMO_API_KEY, user.user_id, user.user_name)
        names[user.user_id] = user.user_name
    for spec in DEMO_SESSIONS:
        if store.session(spec.session_id) is not None:
            continue
        store.add_session(
            SessionRow(
                id=spec.session_id,
                api_key=DEMO_API_KEY,
                activity=spec.activity,
                title=spec.title,
                user_id=spec.user_id,
                user_name=names[spec.user_id],
                user_status="admin",
                uploaded_by=DEMO_OWNER_USER_ID,
                created_at=spec.created_at,
                uploaded_at=spec.created_at.timestamp(),
                fields=dict(spec.fields),
                video_file=None,
                state=COMPLETED,
                results=metrics.generate(spec.session_id, spec.activity, dict(spec.fields)),
                analyzed=True,
            )
        )
