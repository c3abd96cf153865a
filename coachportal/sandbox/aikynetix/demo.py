"""The deterministic demo: one admin key-holder, four athletes with six analysed sessions, and three
more clients with no sessions yet (to import into the portal and upload for).

The portal's demo seeding imports these constants, so its athletes match the sandbox's user ids.
The key is obviously fake and only ever valid against the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import metrics
from .store import COMPLETED, KeyHolder, SessionRow, Store

DEMO_API_KEY = "sandbox-demo-aikynetix-admin"
DEMO_ORGANIZATION_NAME = "Demo Athletics Club"
DEMO_OWNER_USER_ID = "demoAdminUid0000000000000001"
DEMO_OWNER_USER_NAME = "Demo Club Admin"


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    user_name: str
    email: str | None = None
    # Documented user attributes in wire form: numbers for the measures, strings for age and shoeSize.
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = datetime(2025, 2, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoSession:
    session_id: str
    user_id: str
    activity: str  # as sessions carry it: Running | Vertical Jump | Weightlifting
    title: str
    created_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)


def _attributes(height, weight, leg_length, gender, age, shoe_size, brand=None, model=None):
    attributes = {
        "height": height,
        "weight": weight,
        "leg_length": leg_length,
        "ycom": round(leg_length * 1.05, 3),
        "gender": gender,
        "age": age,
        "shoeSize": shoe_size,
    }
    if brand:
        attributes.update(brand=brand, shoeModel=model)
    return attributes


DEMO_USERS = (
    DemoUser(
        "demoAthleteAnnaBerg01",
        "Anna Berg",
        "anna.berg@demo.example",
        _attributes(168, 58.5, 0.86, "Female", "24", "39", "Asics", "Novablast 4"),
        datetime(2025, 2, 1, 9, 0, tzinfo=UTC),
    ),
    DemoUser(
        "demoAthleteLeoMartin1",
        "Leo Martin",
        "leo.martin@demo.example",
        _attributes(182, 77, 0.94, "Male", "27", "44"),
        datetime(2025, 2, 1, 9, 5, tzinfo=UTC),
    ),
    DemoUser(
        "demoAthleteMayaOkafo1",
        "Maya Okafor",
        "maya.okafor@demo.example",
        _attributes(171, 63, 0.89, "Female", "21", "40"),
        datetime(2025, 2, 1, 9, 10, tzinfo=UTC),
    ),
    DemoUser(
        "demoAthleteTomasNovak",
        "Tomas Novak",
        "tomas.novak@demo.example",
        _attributes(178, 85, 0.91, "Male", "30", "43.5"),
        datetime(2025, 2, 1, 9, 15, tzinfo=UTC),
    ),
)

# Clients of the demo admin that have no session yet (the portal's import and first upload start here).
DEMO_CLIENTS_WITHOUT_SESSIONS = (
    DemoUser(
        "demoClientNoraLindq1",
        "Nora Lindqvist",
        "nora.lindqvist@demo.example",
        _attributes(165, 55, 0.84, "Female", "19", "38", "Nike", "Pegasus 41"),
        datetime(2025, 3, 20, 8, 30, tzinfo=UTC),
    ),
    DemoUser(
        "demoClientSamirHaddad",
        "Samir Haddad",
        "samir.haddad@demo.example",
        _attributes(186, 81.5, 0.97, "Male", "23", "45"),
        datetime(2025, 3, 21, 14, 0, tzinfo=UTC),
    ),
    DemoUser(
        "demoClientJunoPark001",
        "Juno Park",
        "juno.park@demo.example",
        _attributes(174, 68, 0.9, "Non-binary", "26", "41.5"),
        datetime(2025, 3, 22, 17, 45, tzinfo=UTC),
    ),
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
    for user in (*DEMO_USERS, *DEMO_CLIENTS_WITHOUT_SESSIONS):
        store.add_user(
            DEMO_API_KEY,
            user.user_id,
            user.user_name,
            email=user.email,
            attributes=dict(user.attributes),
            created_at=user.created_at,
        )
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
