"""The deterministic AI on the Ball demo: one key-holder and two matches already analysed.

The portal's demo seeding imports these constants, so keep this module free of Django and I/O
at import time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Obviously fake: it only ever works against the local sandbox.
DEMO_TOKEN = "sandbox-demo-aiontheball-token"  # noqa: S105
DEMO_KEYHOLDER_ID = 9001
DEMO_KEYHOLDER_NAME = "Demo organization (AI on the Ball sandbox)"
DEMO_BASE_URL = "http://127.0.0.1:8766/api/v1"
DEMO_PORT = 8766


@dataclass(frozen=True)
class DemoMatch:
    video_id: int
    analysis_id: int
    title: str
    home_team_name: str
    away_team_name: str
    date: dt.date
    video_file_url: str
    source_duration: int
    algorithm_version: str
    data_version: int


DEMO_MATCHES = (
    DemoMatch(
        video_id=901,
        analysis_id=4901,
        title="FC Demo vs Sandbox United - League Match",
        home_team_name="FC Demo",
        away_team_name="Sandbox United",
        date=dt.date(2025, 1, 15),
        video_file_url="https://videos.example.invalid/demo/fc-demo-vs-sandbox-united.mp4",
        source_duration=5520,
        algorithm_version="0.5.12",
        data_version=3,
    ),
    # An older engine run (data version 2): no tackles or ball phases, minimal schema.
    DemoMatch(
        video_id=902,
        analysis_id=4902,
        title="Example Rovers vs FC Demo - Cup Match",
        home_team_name="Example Rovers",
        away_team_name="FC Demo",
        date=dt.date(2025, 2, 8),
        video_file_url="https://videos.example.invalid/demo/example-rovers-vs-fc-demo.mp4",
        source_duration=5430,
        algorithm_version="0.4.98",
        data_version=2,
    ),
)
DEMO_VIDEO_IDS = tuple(match.video_id for match in DEMO_MATCHES)
DEMO_ANALYSIS_IDS = tuple(match.analysis_id for match in DEMO_MATCHES)


def seed_demo(store) -> bool:
    """Add the demo key-holder and matches unless present; return True if anything was added."""
    if store.keyholder_for_token(DEMO_TOKEN) is not None:
        return False
    store.create_keyholder(name=DEMO_KEYHOLDER_NAME, token=DEMO_TOKEN, keyholder_id=DEMO_KEYHOLDER_ID)
    for match in DEMO_MATCHES:
        kickoff = dt.datetime.combine(match.date, dt.time(10, 0), tzinfo=dt.UTC).timestamp()
        fields = {
            "video_file_url": match.video_file_url,
            "title": match.title,
            "home_team_name": match.home_team_name,
            "away_team_name": match.away_team_name,
            "date": match.date.isoformat(),
            "start_offset_seconds": None,
            "end_offset_seconds": None,
            "left_start_team": None,
            "source_duration": match.source_duration,
            "outcome": "ok",
        }
        # Created on match day, so every status is long finished whatever the step length.
        store.add_video(DEMO_KEYHOLDER_ID, fields, video_id=match.video_id, created_at=kickoff)
        store.set_fetch(match.video_id, state="ok", at=kickoff)
        store.add_analysis(
            DEMO_KEYHOLDER_ID,
            match.video_id,
            analysis_id=match.analysis_id,
            created_at=kickoff + 3600,
            algorithm_version=match.algorithm_version,
            data_version=match.data_version,
            # Finished long ago: no webhook is due for the demo.
            notified={"status": "done", "progress": 100},
        )
    return True
