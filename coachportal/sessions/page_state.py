"""What the library page reads about its organization besides the rows, in one small query.

Every library view needs the AiKYNETIX sync state (the "Synced 3 minutes ago" line, the banner, whether
to ask for a sync), whether the organization has an AiKYNETIX key, the roster's stamp (how many athletes
and their latest change), which keys the cached filter form, and whether the reader has athletes assigned
(which offers "My athletes only"; a query of its own until issue 18's throughput work). Built with the
ORM these were two queries whose construction cost more CPU than the rest of the page's queries together
(about 4 ms of a 27 ms page, measured with bench/library_list.py): one statement, written once with the
models' own table and column names and given only the ids, does the same in a tenth of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership, Organization, Provider, ProviderCredential

from .claims import state_for
from .models import SyncState


@dataclass(frozen=True)
class LibraryState:
    sync: SyncState
    has_key: bool
    roster_stamp: str  # changes whenever an athlete is added, renamed or removed
    assigned: bool  # the reader has athletes of this organization assigned to them ("My athletes only")


def _name(model, field: str | None = None) -> str:
    """A model's table, or one field's column, quoted for this database."""
    name = model._meta.db_table if field is None else model._meta.get_field(field).column
    return connection.ops.quote_name(name)


@cache
def _sql() -> str:
    sync, key, athlete = _name(SyncState), _name(ProviderCredential), _name(Athlete)
    s_org, s_provider = _name(SyncState, "organization"), _name(SyncState, "provider")
    k_org, k_provider = _name(ProviderCredential, "organization"), _name(ProviderCredential, "provider")
    a_org, a_updated = _name(Athlete, "organization"), _name(Athlete, "updated_at")
    through = Athlete.coaches.through
    coach, c_athlete, c_member = _name(through), _name(through, "athlete"), _name(through, "membership")
    a_id = _name(Athlete, "id")
    # Only the models' own table and column names are put into the text; the values are parameters.
    return (
        f"SELECT s.*, EXISTS (SELECT 1 FROM {key} k WHERE k.{k_org} = s.{s_org}"  # noqa: S608
        f" AND k.{k_provider} = s.{s_provider}) AS has_key,"
        f" (SELECT COUNT(*) FROM {athlete} a WHERE a.{a_org} = s.{s_org}) AS roster_count,"
        f" (SELECT MAX(a.{a_updated}) FROM {athlete} a WHERE a.{a_org} = s.{s_org}) AS roster_latest,"
        f" EXISTS (SELECT 1 FROM {coach} c INNER JOIN {athlete} a ON a.{a_id} = c.{c_athlete}"
        f" WHERE c.{c_member} = %s AND a.{a_org} = s.{s_org}) AS assigned"
        f" FROM {sync} s WHERE s.{s_org} = %s AND s.{s_provider} = %s"
    )


def library_state(org: Organization, membership: Membership | None = None) -> LibraryState:
    """The organization's AiKYNETIX sync state, whether it has an AiKYNETIX key, its roster stamp, and
    whether `membership` has athletes assigned (the athletes Athlete.objects.coached_by gives)."""
    params = [membership.pk if membership is not None else None, org.pk, Provider.AIKYNETIX]
    found = list(SyncState.objects.raw(_sql(), params))
    if not found:  # the first visit: create the sync state row, then read it with the rest
        state_for(org)
        found = list(SyncState.objects.raw(_sql(), params))
    [state] = found
    stamp = f"{state.roster_count}-{state.roster_latest or 0}"
    return LibraryState(
        sync=state, has_key=bool(state.has_key), roster_stamp=stamp, assigned=bool(state.assigned)
    )
