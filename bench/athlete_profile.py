"""Benchmark: the athlete profile of an athlete with 5,000 sessions among 100,000 in the organization.

Run:
    .venv/bin/python bench/athlete_profile.py                  # SQLite (a temporary test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/athlete_profile.py
    ... bench/athlete_profile.py --keepdb   # keep the loaded data set and reuse it on the next run (two trees
                                            # alternating on one data set; the sizes must match)

It loads one organization with benchdata's sessions (100,000 by default, `--sessions`), of which
`--athlete-sessions` (5,000) belong to one athlete and spread over the last five years in all three
activities, with varying metrics; stores their key metrics as the sync does (stored_metrics), then times,
against the same baselines as bench/library_list.py (a trivial view and a page that only extends
base.html), the profile with its default range (90 days), 30 days, this season, all sessions and a custom
range of two years, and the compare page of the athlete's two latest jumps (the profile's Compare action)
and of four, and prints the query count of each (it must not depend on the number of sessions: see
tests/integration/test_athlete_profile.py). Each page must stay within 3x the base page.

The profile keeps what it computed in the cache until the organization's data changes
(coachportal/sessions/profile_cache.py): each range is timed as viewed again ("profile, ...") and as
computed afresh, its cache emptied before each request ("profile, ..., cold": the first view after a write).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta

import benchdata
import library_list
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

YEARS = 5


def kept(total: int, mine: int):
    """--keepdb: the organization, athlete and coach of an earlier run's data set of the same size, or None
    when the kept database holds none (the data set is then loaded)."""
    from coachportal.athletes.models import Athlete
    from coachportal.organizations.models import Membership, Organization, Role
    from coachportal.sessions.models import Session

    org = Organization.objects.filter(name="Bench A").first()
    if org is None:
        return None
    star = Athlete.objects.get(organization=org, name="Anna Star")
    if (Session.objects.filter(organization=org).count(), Session.objects.filter(athlete=star).count()) != (
        total,
        mine,
    ):
        raise SystemExit("--keepdb: the kept database holds another size; drop it or use another name")
    return org, star, Membership.objects.get(organization=org, role=Role.COACH).user


def load(total: int, mine: int):
    from coachportal.organizations.models import Role
    from coachportal.sessions import stored_metrics
    from coachportal.sessions.metrics import key_metrics
    from coachportal.sessions.models import Session
    from tests.factories import make_athlete, make_member, make_org

    org = make_org("Bench A")
    benchdata.fill(org, total - mine)
    star = make_athlete(org, "Anna Star", aikynetix_user_id="star")
    rng = random.Random(15)
    now = timezone.now()
    batch = []
    for i in range(mine):
        activity = benchdata.ACTIVITIES[i % 3]
        metrics = {
            "running": lambda: {
                "speed": [round(rng.uniform(2.8, 4.2), 3) for _ in range(4)],
                "cadence": [rng.randint(160, 185) for _ in range(4)],
                "contact_time": [round(rng.uniform(0.2, 0.27), 4) for _ in range(4)],
                "power": [rng.randint(200, 300) for _ in range(4)],
            },
            "jumping": lambda: {
                "jump_height": [round(rng.uniform(0.3, 0.6), 3) for _ in range(3)],
                "rsi": [round(rng.uniform(0.4, 0.9), 3) for _ in range(3)],
                "contact_time": [round(rng.uniform(0.6, 0.8), 3) for _ in range(3)],
                "peak_power": [round(rng.uniform(3000, 4500), 1) for _ in range(3)],
            },
            "weightlifting": lambda: {
                "max_bar_speed": round(rng.uniform(1.5, 2.2), 3),
                "max_power": round(rng.uniform(1500, 2600), 1),
                "barbell_weight": rng.choice([60.0, 70.0, 80.0, 90.0]),
            },
        }[activity]()
        batch.append(
            Session(
                organization=org,
                external_id=f"star-{i:05}",
                athlete=star,
                provider_user_id="star",
                provider_user_name="Anna Star",
                activity=activity,
                title=f"Star {activity} {i}",
                recorded_at=now - timedelta(days=365 * YEARS) * (1 - i / mine),
                status="ready",
                metrics=metrics,
                key_metrics=key_metrics(activity, metrics),
                raw={"title": f"star {i}"},
            )
        )
    benchdata._save(batch)
    stored_metrics.refresh_query(Session.objects.for_org(org))
    coach = make_member(org, Role.COACH, email="bench-coach@example.com").user
    return org, star, coach


def compared(org, star) -> list[int]:
    """The athlete's four latest jumps, given analysed videos with a known frame rate (newest first)."""
    from coachportal.sessions.models import Session

    jumps = Session.objects.for_org(org).ready().filter(athlete=star, activity="jumping")
    pks = list(jumps.order_by("-recorded_at").values_list("pk", flat=True)[:4])
    Session.objects.filter(pk__in=pks).update(
        analyzed_video_url="https://videos.example/analysed.mp4", frame_rate=60.0
    )
    return pks


def timed_cold(client, url, baselines: dict[str, str], repeat: int) -> tuple[float, dict[str, float]]:
    """library_list.timed with the cache emptied before each request of `url` (outside the timing): the
    profile computed afresh, as on its first view after a write to the organization's data."""
    for _ in range(3):
        cache.clear()
        library_list.one(client, url)
    samples, ratios = [], {name: [] for name in baselines}
    for _ in range(repeat):
        cache.clear()
        page = library_list.one(client, url)
        samples.append(page)
        for name, baseline in baselines.items():
            ratios[name].append(page / library_list.one(client, baseline))
    return statistics.median(samples), {name: statistics.median(r) for name, r in ratios.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--athlete-sessions", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the loaded database and reuse it (same sizes): runs of two trees on one data set",
    )
    args = parser.parse_args()

    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb, serialize=False
    )
    try:
        with override_settings(ROOT_URLCONF="library_list", DEBUG=False):
            t0 = time.perf_counter()
            found = kept(args.sessions, args.athlete_sessions) if args.keepdb else None
            org, star, coach = found or load(args.sessions, args.athlete_sessions)
            loaded = time.perf_counter() - t0
            sessions = compared(org, star)
            with connection.cursor() as cursor:
                # As autovacuum leaves a loaded table: statistics, and the visibility map that lets an
                # index-only scan (the profile's counts) skip the table.
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            client = Client()
            client.force_login(coach)
            profile = f"/o/{org.slug}/athletes/{star.pk}/"
            urls = {
                "trivial view": "/bench/trivial/",
                "base page": f"/bench/o/{org.slug}/base/",
                "profile, 90 days (default)": profile,
                "profile, 30 days": profile + "?range=30d",
                "profile, this season": profile + "?range=season",
                "profile, all 5 years": profile + "?range=all",
                "profile, custom 2 years": profile
                + f"?range=custom&start={(timezone.localdate() - timedelta(days=730)).isoformat()}",
                "compare, 2 latest jumps": f"/o/{org.slug}/compare/?s={sessions[0]}&s={sessions[1]}",
                "compare, 4 jumps, offsets": f"/o/{org.slug}/compare/?"
                + "&".join(f"s={pk}&o=0.{n}" for n, pk in enumerate(sessions)),
            }
            baselines = {"trivial": urls["trivial view"], "base": urls["base page"]}
            times = {
                name: library_list.timed(client, url, baselines, args.repeat) for name, url in urls.items()
            }
            counts, sizes = {}, {}
            for name, url in urls.items():
                with CaptureQueriesContext(connection) as queries:
                    sizes[name] = len(client.get(url).content)
                counts[name] = len(queries)
            # The profile as computed: the first view after a write (its cache emptied before each request).
            for name, url in list(urls.items()):
                if name.startswith("profile"):
                    cold = f"{name}, cold"
                    times[cold] = timed_cold(client, url, baselines, args.repeat)
                    cache.clear()
                    with CaptureQueriesContext(connection) as queries:
                        sizes[cold] = len(client.get(url).content)
                    counts[cold] = len(queries)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)

    print(
        f"database: {connection.vendor}; {args.sessions:,} sessions in the organization,"
        f" {args.athlete_sessions:,} of them the athlete's over {YEARS} years (loaded in {loaded:.0f} s)"
    )
    print("  (ratios: medians of each request over the baseline request made right after it)")
    for name, (seconds, ratio) in times.items():
        print(
            f"  {name:34} {seconds * 1000:7.2f} ms   x{ratio['trivial']:5.1f} trivial"
            f"   x{ratio['base']:5.2f} base page   {counts[name]:3} queries   {sizes[name] / 1024:6.0f} KB"
        )


if __name__ == "__main__":
    main()
