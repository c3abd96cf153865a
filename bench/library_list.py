"""Benchmark: the filtered library page with 100,000 sessions per organization, against trivial views.

Run:
    .venv/bin/python bench/library_list.py                    # SQLite (a temporary test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/library_list.py

It builds a test database, loads two organizations with N sessions each (N=100,000 by default,
`--sessions` to change; on PostgreSQL with COPY, so a million loads in minutes), then times, in the
same process and through the same middleware with the same logged-in coach:
  - "trivial": a view returning HttpResponse("ok"),
  - "base page": a view rendering a template that only extends base.html (nav, context processors),
  - the library page: unfiltered, filtered (activity + status), pages 4 and 40, title searches (common and
    rare), one month, both title sorts and one athlete,
  - the compare page with two and with four sessions (analysed videos, offsets), and one session's page,
  - each library scenario again with the cache emptied before each request ("..., cold": its rows
    written afresh, as on a first view),
and prints medians, the ratios to both baselines, and the query counts of the library and compare pages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

import benchdata  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from coachportal.organizations.access import org_view  # noqa: E402


def trivial(request):
    return HttpResponse("ok")


BASE_ONLY = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Hi</h1>{% endblock %}'
)


@org_view()
def base_page(request, org):
    return HttpResponse(BASE_ONLY.render({"org": org}, request))


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/o/<slug:org_slug>/base/", base_page),
    path("", include("coachportal.urls")),
]

_ = render  # keeps the import list honest for readers comparing with the real views


def load(sessions_per_org: int):
    from coachportal.organizations.models import Membership, Organization, Role
    from coachportal.sessions.models import Session
    from tests.factories import make_member, make_org

    kept = list(Organization.objects.filter(name__in=("Bench A", "Bench B")).order_by("name"))
    if len(kept) == 2 and Session.objects.filter(organization=kept[0]).count() == sessions_per_org:
        # --keepdb: the same library is already loaded; reuse it rather than load it again.
        coach = Membership.objects.get(organization=kept[0], role=Role.COACH).user
        return kept[0], coach
    if kept:
        raise SystemExit("--keepdb: the kept database holds another size; drop it or use another name")
    orgs = []
    for name in ("Bench A", "Bench B"):
        org = make_org(name)
        benchdata.fill(org, sessions_per_org)
        orgs.append(org)
    coach = make_member(orgs[0], Role.COACH, email="bench-coach@example.com").user
    return orgs[0], coach


def compare_sessions(org) -> list[int]:
    """Four ready running sessions of one athlete, given analysed videos with a known frame rate."""
    from coachportal.sessions.models import Session

    ready = Session.objects.for_org(org).ready().filter(activity="running", athlete__isnull=False)
    athlete_id = ready.values_list("athlete_id", flat=True).first()
    pks = list(ready.filter(athlete_id=athlete_id).order_by("recorded_at").values_list("pk", flat=True)[:4])
    Session.objects.filter(pk__in=pks).update(
        analyzed_video_url="https://videos.example/analysed.mp4", frame_rate=60.0
    )
    return pks


def one(client, url) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200, url
    return elapsed


def timed(
    client, url, baselines: dict[str, str], repeat: int, *, cold: bool = False
) -> tuple[float, dict[str, float]]:
    """The median time of `url` and its median ratio to each baseline, each pair measured back to back.

    Pairing a page request with a baseline request in the same loop cancels most of the noise of a busy
    machine, which moves both alike. `cold`: the cache emptied before each request of `url` (outside the
    timing), so nothing is served from what an earlier request wrote there (the library's written rows,
    the profile): the page as a first view after a write to the organization's data.
    """

    def page() -> float:
        if cold:
            cache.clear()
        return one(client, url)

    for _ in range(3):
        page()
    samples, ratios = [], {name: [] for name in baselines}
    for _ in range(repeat):
        seconds = page()
        samples.append(seconds)
        for name, baseline in baselines.items():
            ratios[name].append(seconds / one(client, baseline))
    return statistics.median(samples), {name: statistics.median(r) for name, r in ratios.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the loaded database and reuse it (same size)"
    )
    args = parser.parse_args()

    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb, serialize=False
    )
    try:
        with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
            t0 = time.perf_counter()
            org, coach = load(args.sessions)
            loaded = time.perf_counter() - t0
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            client = Client()
            client.force_login(coach)
            lib = f"/o/{org.slug}/sessions/"
            filtered = lib + "?activity=running&status=ready"
            urls = {
                "trivial view": "/bench/trivial/",
                "base page": f"/bench/o/{org.slug}/base/",
                "library, unfiltered": lib,
                "library, activity+status": filtered,
                "library, page 4": filtered + "&page=4",
                "library, title search": lib + "?q=session%2099",
                "library, rare title": lib + "?q=session%20" + str(args.sessions - 3),
                "library, one month": lib + "?date_from=2025-02-01&date_to=2025-02-28",
                "library, title A to Z": lib + "?sort=title",
                "library, title Z to A": lib + "?sort=-title",
                "library, page 40": lib + "?page=40",
                "library, athlete": lib
                + "?athlete="
                + str(org.athletes.order_by("pk").values_list("pk", flat=True)[5]),
            }
            compared = compare_sessions(org)
            two = f"/o/{org.slug}/compare/?s={compared[0]}&o=0&s={compared[1]}&o=0.5"
            four = f"/o/{org.slug}/compare/?" + "&".join(f"s={pk}&o=0.{n}" for n, pk in enumerate(compared))
            urls["compare, 2 sessions"] = two
            urls["compare, 4 sessions"] = four
            urls["session page"] = f"/o/{org.slug}/sessions/{compared[-1]}/"
            baselines = {"trivial": urls["trivial view"], "base": urls["base page"]}
            times = {name: timed(client, url, baselines, args.repeat) for name, url in urls.items()}
            # The library's written rows are kept in the cache (templatetags/library_rows), so a repeated
            # request reads its rows but does not write them again: each library scenario is also timed
            # with the cache emptied before each request, as a page first seen.
            for name, url in list(urls.items()):
                if name.startswith("library"):
                    times[f"{name}, cold"] = timed(client, url, baselines, args.repeat, cold=True)
            with CaptureQueriesContext(connection) as queries:
                client.get(filtered)
            compare_queries = {}
            for name in ("compare, 2 sessions", "compare, 4 sessions"):
                with CaptureQueriesContext(connection) as captured:
                    client.get(urls[name])
                compare_queries[name] = len(captured)
            htmx = {"HX-Request": "true", "HX-Target": "results"}
            with CaptureQueriesContext(connection) as htmx_queries:
                client.get(filtered, headers=htmx)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)

    print(
        f"database: {connection.vendor}; {args.sessions:,} sessions in each of 2 organizations"
        f" (loaded in {loaded:.0f} s)"
    )
    print("  (ratios: medians of each request over the baseline request made right after it)")
    for name, (seconds, ratio) in times.items():
        print(
            f"  {name:34} {seconds * 1000:7.2f} ms"
            f"   x{ratio['trivial']:5.1f} trivial   x{ratio['base']:4.2f} base page"
        )
    filtered_ratios = times["library, activity+status"][1]
    print(f"filtered library / trivial view = {filtered_ratios['trivial']:.2f}")
    print(f"filtered library / base page    = {filtered_ratios['base']:.2f}")
    print(f"queries: full page {len(queries)}, htmx table {len(htmx_queries)}")
    for name in ("compare, 2 sessions", "compare, 4 sessions"):
        print(f"{name} / base page = {times[name][1]['base']:.2f}; queries {compare_queries[name]}")
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    print(f"SQL time of the filtered page: {sql_ms:.1f} ms; slowest {float(slowest['time']) * 1000:.1f} ms:")
    print("  " + slowest["sql"][:300])


if __name__ == "__main__":
    main()
