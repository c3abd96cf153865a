"""What the library page reads about its organization besides the rows, in one small query.

Every library view needs the AiKYNETIX sync state (the "Synced 3 minutes ago" line, the banner, whether to ask
for a sync), whether the organization has an AiKYNETIX key, the roster's stamp (how many athletes and their
latest change), which keys the kept filter form (library.html) and the roster's names in the cache
(forms.roster_names), and whether the reader has athletes assigned (which offers "My athletes only"; a query
of its own until issue 18's throughput work). Built with the ORM these were two queries whose construction
cost more CPU than the rest of the page's queries together (about 4 ms of a 27 ms page, measured with
bench/library_list.py): one statement, written once with the models' own table and column names and given only
the ids, does the same in a tenth of that; its row becomes the SyncState through the ORM's own converters
(coachportal.prepared), not a RawQuerySet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connections

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership, Organization, Provider, ProviderCredential
from coachportal.prepared import Columns, fetch, quoted

from .claims import state_for
from .models import SyncState


@dataclass(frozen=True)
class LibraryState:
    sync: SyncState
    has_key: bool
    roster_stamp: str  # changes whenever an athlete is added, renamed or removed
    assigned: bool  # the reader has athletes of this organization assigned to them ("My athletes only")


@cache
def _statement(using: str) -> tuple[str, Columns]:
    """The statement on the database `using`, and the sync state's columns it starts with (the row becomes
    a SyncState as the ORM makes one: coachportal.prepared; a RawQuerySet cost a millisecond more)."""
    connection = connections[using]

    def name(model, field=None):
        return quoted(connection, model, field)

    state = Columns.of(SyncState, "s", connection)
    sync, key, athlete = name(SyncState), name(ProviderCredential), name(Athlete)
    s_org, s_provider = name(SyncState, "organization"), name(SyncState, "provider")
    k_org, k_provider = name(ProviderCredential, "organization"), name(ProviderCredential, "provider")
    a_org, a_updated = name(Athlete, "organization"), name(Athlete, "updated_at")
    through = Athlete.coaches.through
    coach, c_athlete, c_member = name(through), name(through, "athlete"), name(through, "membership")
    a_id = name(Athlete, "id")
    # Only the models' own table and column names are put into the text; the values are parameters.
    sql = (
        f"SELECT {state.sql}, EXISTS (SELECT 1 FROM {key} k WHERE k.{k_org} = s.{s_org}"  # noqa: S608
        f" AND k.{k_provider} = s.{s_provider}) AS has_key,"
        f" (SELECT COUNT(*) FROM {athlete} a WHERE a.{a_org} = s.{s_org}) AS roster_count,"
        f" (SELECT MAX(a.{a_updated}) FROM {athlete} a WHERE a.{a_org} = s.{s_org}) AS roster_latest,"
        f" EXISTS (SELECT 1 FROM {coach} c INNER JOIN {athlete} a ON a.{a_id} = c.{c_athlete}"
        f" WHERE c.{c_member} = %s AND a.{a_org} = s.{s_org}) AS assigned"
        f" FROM {sync} s WHERE s.{s_org} = %s AND s.{s_provider} = %s"
    )
    return sql, state


def library_state(
    org: Organization, membership: Membership | None = None, using: str = "default"
) -> LibraryState:
    """The organization's AiKYNETIX sync state, whether it has an AiKYNETIX key, its roster stamp, and
    whether `membership` has athletes assigned (the athletes Athlete.objects.coached_by gives)."""
    sql, state = _statement(using)
    params = [membership.pk if membership is not None else None, org.pk, Provider.AIKYNETIX]
    connection, found = fetch(using, sql, params)
    if not found:  # the first visit: create the sync state row, then read it with the rest
        state_for(org)
        connection, found = fetch(using, sql, params)
    [row] = found
    sync = state.instance(row[: state.width], using=using, connection=connection)
    has_key, roster_count, roster_latest, assigned = row[state.width :]
    # The latest change as the database gives it (text on SQLite): it only has to change with the roster.
    stamp = f"{roster_count}-{roster_latest or 0}"
    return LibraryState(sync=sync, has_key=bool(has_key), roster_stamp=stamp, assigned=bool(assigned))
