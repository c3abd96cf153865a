"""The library's rows read by the statement composed once per filter shape (sessions/row_query.py) are the
rows the ORM's query gives: same dicts, same order, same pages, for every filter and sort, only the
organization's, with every value a parameter."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership
from coachportal.sessions import row_query, title_search
from coachportal.sessions.forms import read_filters
from coachportal.sessions.models import Session
from coachportal.sessions.rows import ROW_FIELDS
from tests.factories import make_session

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def library(org_a, org_b, chloe):
    """Sessions of three athletes and of people not on the roster, of every status (deleted too), some
    sharing a time or a title (the sorts' tie-breaks), and a stranger organization's sessions."""
    membership = Membership.objects.get(user=chloe, organization=org_a)
    ana, ben, cy = (
        Athlete.objects.create(organization=org_a, name=name, aikynetix_user_id=f"u-{name}")
        for name in ("Ana", "Ben", "Cy")
    )
    ana.coaches.add(membership)
    cy.coaches.add(membership)
    athletes = [ana, ben, cy, None]
    activities = ["running", "jumping", "weightlifting"]
    statuses = ["ready", "processing", "failed", "deleted"]
    titles = ["Sprint", "sprint", "", "Block start", "Zebra", "Sprint"]
    for n in range(40):
        make_session(
            org_a,
            store_metrics=False,
            athlete=athletes[n % 4],
            activity=activities[n % 3],
            status=statuses[n % 4 if n % 5 else 0],
            title=titles[n % 6],
            recorded_at=START - timedelta(hours=12 * (n // 2)),  # two sessions at each time
            key_metrics={} if n % 7 == 0 else {"Speed": f"{n} m/s"},
            thumbnail=f"thumbs/{n}.jpg" if n % 3 == 0 else "",
        )
    stranger = Athlete.objects.create(organization=org_b, name="Stranger", aikynetix_user_id="u-s")
    for n in range(6):
        make_session(org_b, store_metrics=False, athlete=stranger, recorded_at=START - timedelta(hours=n))
    return {"membership": membership, "ana": ana, "ben": ben, "stranger": stranger}


def orm_rows(org, filters, offset, limit):
    found = filters.apply(Session.objects.for_org(org).visible()).values(*ROW_FIELDS)
    return list(found[offset : offset + limit])


def filters_of(org, query, membership=None):
    return read_filters(QueryDict(query), org=org, membership=membership)


QUERIES = [
    "",
    "athlete={ana}",
    "athlete={ben}&activity=jumping",
    "mine=1",
    "mine=1&status=ready&sort=title",
    "activity=running",
    "status=processing",
    "status=failed&activity=weightlifting",
    "date_from=2025-02-20",
    "date_to=2025-02-25",
    "date_from=2025-02-18&date_to=2025-02-24&athlete={ana}",
    "athlete={stranger}",  # another organization's athlete: dropped by the form, every row of org A
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("sort", ["", "-date", "date", "title", "-title"])
def test_each_filter_and_sort_reads_the_rows_the_orm_reads(org_a, library, query, sort):
    query = query.format(**{k: v.pk for k, v in library.items() if k != "membership"})
    query = "&".join(part for part in (query, f"sort={sort}" if sort else "") if part)
    filters = filters_of(org_a, query, library["membership"])
    for offset, limit in ((0, 26), (0, 3), (5, 4), (30, 26)):
        composed = row_query.rows(org_a, filters, offset=offset, limit=limit)
        assert composed == orm_rows(org_a, filters, offset, limit), (query, offset, limit)
    everything = row_query.rows(org_a, filters, offset=0, limit=100)
    assert everything, query  # every query above selects some rows
    # Same types as the ORM's: an aware datetime, the key metrics as a dict, ids as numbers.
    first = everything[0]
    assert timezone.is_aware(first["recorded_at"]) and isinstance(first["key_metrics"], dict)
    assert isinstance(first["pk"], int)


def test_only_the_organizations_visible_sessions_are_read(org_a, org_b, library):
    mine = {pk for (pk,) in Session.objects.for_org(org_a).exclude(status="deleted").values_list("pk")}
    read = row_query.rows(org_a, filters_of(org_a, ""), offset=0, limit=1000)
    assert {row["pk"] for row in read} == mine and len(read) == len(mine) == 32
    theirs = row_query.rows(org_b, filters_of(org_b, ""), offset=0, limit=1000)
    assert len(theirs) == 6 and {row["athlete__name"] for row in theirs} == {"Stranger"}
    # An athlete of org A given to org B's library selects none of org A's sessions (nor any of B's).
    ana = filters_of(org_a, f"athlete={library['ana'].pk}")
    assert row_query.rows(org_b, ana, offset=0, limit=1000) == []


def test_the_values_are_parameters_and_one_statement_serves_a_shape(org_a, library):
    first = filters_of(org_a, "activity=jumping&status=failed&date_from=2025-02-20")
    second = filters_of(org_a, "activity=running&status=ready&date_from=2025-01-02")
    with CaptureQueriesContext(connection) as queries:
        row_query.rows(org_a, first, offset=0, limit=26)
        row_query.rows(org_a, second, offset=50, limit=26)
    assert len(queries) == 2
    shape = ((("activity", 1), ("status", 1), ("date_from", 1)), None, "-date")
    statement = row_query._statement("default", shape)
    for value in ("jumping", "running", "failed", "ready", "deleted", "2025", "26", "50"):
        assert value not in statement.sql
    assert statement.sql.count("%s") == 7  # organization, deleted, three filters, limit, offset
    assert row_query._statement.cache_info().hits >= 1  # the second page's statement was the first's


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the title search's plans exist on PostgreSQL only"
)

# (WALK, ENOUGH, RARE) of title_search and the plan each word then gets (the library fixture's 32 visible
# sessions; "Sprint" in half the titles, "Block start" and "Zebra" in a sixth each).
PLANS = {
    "whole": ((400, 26, 5000), ["q=sprint", "q=block", "q=zeb", "q=nothing"]),  # the walk reads them all
    "common": ((8, 3, 5000), ["q=sprint", "q=SPR"]),
    "rare": ((8, 3, 5000), ["q=block", "q=zebra", "q=block st", "q=nothing"]),
    "rare past RARE": ((8, 3, 2), ["q=block", "q=zebra"]),  # too many ids: the words condition
}
TITLE_FILTERS = ["", "athlete={ana}", "mine=1", "activity=running", "status=ready&date_to=2025-02-25"]


def plan_json(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        [(plan,)] = cursor.fetchall()
    return plan[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def plan_run(sql: str) -> str:
    """Which of PLANS the composed statement ran, from what its execution read (EXPLAIN ANALYZE): the words
    index for the rare words' ids ("found") or not, and the rows of the ids' branch or the words condition's
    (each under a condition tested once: the branch not chosen is never run)."""
    plan = list(nodes(plan_json(sql)))
    [found] = [node for node in plan if node.get("Subplan Name") == "CTE found"]
    gated = {
        node["One-Time Filter"].endswith("IS NULL)"): node["Plans"][0]
        for node in plan
        if "One-Time Filter" in node
    }
    ran = {branch: node["Actual Loops"] > 0 for branch, node in gated.items()}
    assert len(gated) == 2 and ran[True] != ran[False], sql  # one branch and only one
    words = ran[True]
    rare = found["Actual Loops"] > 0
    return {(False, False): "whole", (False, True): "common", (True, False): "rare"}.get(
        (rare, words), "rare past RARE"
    )


@on_postgresql
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("query", TITLE_FILTERS)
@pytest.mark.parametrize("sort", ["", "date", "title", "-title"])
def test_a_title_search_reads_the_rows_the_orm_reads_whichever_plan_serves_it(
    org_a, library, monkeypatch, plan, query, sort
):
    (walk, enough, rare), searches = PLANS[plan]
    monkeypatch.setattr(title_search, "WALK", walk)
    monkeypatch.setattr(title_search, "ENOUGH", enough)
    monkeypatch.setattr(title_search, "RARE", rare)
    query = query.format(**{k: v.pk for k, v in library.items() if k != "membership"})
    for search in searches:
        given = "&".join(part for part in (query, search, f"sort={sort}" if sort else "") if part)
        filters = filters_of(org_a, given, library["membership"])
        for offset, limit in ((0, 26), (0, 3), (2, 4)):
            with CaptureQueriesContext(connection) as ran:
                composed = row_query.rows(org_a, filters, offset=offset, limit=limit)
            assert composed == orm_rows(org_a, filters, offset, limit), (given, offset, limit)
            [read] = ran.captured_queries  # the probe, the words' ids and the rows in one statement
            if query == "" or plan == "whole":  # other filters may make a word common or the walk whole
                assert plan_run(read["sql"]) == plan, given
    if plan == "common" and query == "":
        assert composed and {row["title"].lower() for row in composed} == {"sprint"}


@on_postgresql
def test_a_title_searchs_values_are_parameters_and_one_statement_serves_every_plan(
    org_a, library, monkeypatch
):
    monkeypatch.setattr(title_search, "WALK", 8)
    monkeypatch.setattr(title_search, "ENOUGH", 3)
    row_query._statement.cache_clear()
    row_query._walk.cache_clear()
    # Among the running sessions "Block start" and "Sprint" are every other title, "Zebra" none.
    searches = {"zebra": "rare", "zeb": "rare", "block": "common", "block start": "common", "spri": "common"}
    for typed, plan in searches.items():
        with CaptureQueriesContext(connection) as ran:
            row_query.rows(org_a, filters_of(org_a, f"q={typed}&activity=running"), offset=0, limit=26)
        [read] = ran.captured_queries
        assert plan_run(read["sql"]) == plan, typed
    assert row_query._walk.cache_info().currsize == 1
    assert row_query._statement.cache_info().currsize == 1  # whichever plan the statement chooses
    sql = row_query._statement("default", ((("activity", 1),), True, "-date")).sql
    for value in ("block", "zebra", "zeb", "spri", "running", "simple", "8", "3"):
        assert value not in sql.lower().replace("library_session", "").replace("start", "")
    walk = row_query._walk("default", (("activity", 1),))
    assert "running" not in walk and "LIMIT %s" in walk


@on_postgresql
def test_a_composed_title_search_keeps_the_orms_plans(org_a, org_b):
    """The composed statement reads the sessions as the ORM's statements do for common words (the walk
    through the date index, then the planner's choice for the words condition); for rare words, the walk,
    their ids through the words index and their rows through the primary key. The branch of the plan not
    chosen reads nothing."""
    for org in (org_a, org_b):
        Session.objects.bulk_create(
            Session(
                organization=org,
                external_id=f"bulk-{n}",
                title=f"Running session {n}",
                status="ready",
                recorded_at=START - timedelta(hours=n),
            )
            for n in range(3000)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_session")

    def reads(plan: dict) -> list[tuple]:
        """The scans of the sessions that ran (each scan's kind and index, and for the primary key's, the
        rows it read that the page's conditions then dropped), in a stable order."""
        return sorted(
            (node["Node Type"], node.get("Index Name", ""))
            + ((node["Rows Removed by Filter"],) if node.get("Index Name") == "library_session_pkey" else ())
            for node in nodes(plan)
            if node.get("Relation Name") == Session._meta.db_table and node["Actual Loops"] > 0
        )

    def plans(typed, sort):
        filters = filters_of(org_a, f"q={typed}&sort={sort}")
        with CaptureQueriesContext(connection) as ran:
            composed = row_query.rows(org_a, filters, offset=0, limit=26)
        with CaptureQueriesContext(connection) as ran_orm:
            assert composed == orm_rows(org_a, filters, 0, 26)
        [statement] = ran.captured_queries
        orm = sorted(scan for query in ran_orm.captured_queries for scan in reads(plan_json(query["sql"])))
        return reads(plan_json(statement["sql"])), orm

    for sort in ("-date", "title", "-title"):
        composed, orm = plans("session", sort)  # common: the words condition, planned as the ORM's
        assert composed == orm, sort
        assert ("Bitmap Heap Scan", "") not in composed  # the words' ids were not read
        # Rare: the selection's ids among the words' (3000 sessions of each organization: 1 and 111 of
        # their 2 and 222), read by their primary key whatever their number (the planner sees an array of
        # unknown length; at most RARE ids): no other organization's row is read for the page.
        for typed in ("session 2997", "session 29"):
            composed, _ = plans(typed, sort)
            assert composed == [
                ("Bitmap Heap Scan", ""),  # the words' ids (the words index under it: no relation of its own)
                ("Index Scan", "library_org_recorded"),  # the walk
                ("Index Scan", "library_session_pkey", 0),  # their rows, none dropped
            ], (typed, sort)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's title search stays the ORM's")
def test_on_sqlite_a_title_search_is_left_to_the_orm(org_a, library, client_for, chloe):
    assert row_query.rows(org_a, filters_of(org_a, "q=sprint"), offset=0, limit=26) is None
    page = client_for(chloe).get(f"/o/{org_a.slug}/sessions/?q=sprint&sort=title")
    titles = [row["title"] for row in page.context["rows"]]
    assert titles and {t.lower() for t in titles} == {"sprint"}


def test_the_library_page_shows_the_composed_rows(org_a, library, client_for, chloe):
    client = client_for(chloe)
    library_page = f"/o/{org_a.slug}/sessions/?sort=title&page=2"
    client.get(library_page)  # the roster's names are kept from here on (they are a query)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(library_page)
    assert len(queries) == 4  # session, person with their memberships, rows, the library's state
    filters = filters_of(org_a, "sort=title")
    expected = [row["pk"] for row in orm_rows(org_a, filters, 25, 26)]
    assert [int(row["pk"]) for row in page.context["rows"]] == expected and expected


def test_a_date_range_hiding_what_no_date_would_show_says_so(org_a, library, client_for, chloe):
    page = client_for(chloe).get(f"/o/{org_a.slug}/sessions/?q=nowhere&date_from=2030-01-01")
    assert page.status_code == 200 and page.context["rows"] == []
    html = page.content.decode()
    assert "Nothing matches the other filters at any date either." in html
    assert "Show from" not in html  # there is no date to jump to, so no link
