"""What a CSV import does in AiKYNETIX: the preview's word for each row, and the creates after the import.

The import itself (csv_import) only writes the roster. With "Create in AiKYNETIX" ticked, each added
athlete with an email then gets a client: an existing client with that email is linked, else one is
created. The preview reads the admin's clients once to say which; quota is only known when AiKYNETIX
refuses a create, so the import's message names the athletes it could not create and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coachportal.organizations.models import Organization

from . import provider_clients
from .csv_import import CREATE, ImportPlan
from .models import Athlete
from .provider_clients import AthleteProviderError, ClientDirectory

CREATED, LINKED, REFUSED, VERIFIED, UNVERIFIED = "create", "link", "refuse", "verified", "unverified"

WILL_CREATE = "Will be created in AiKYNETIX."
WILL_LINK = "Will be linked to the existing AiKYNETIX client {name}."
NO_EMAIL = "Not created in AiKYNETIX: the row has no email."
TAKEN = "Not created in AiKYNETIX: {email} is the email of {other}'s client."
ID_FOUND = "AiKYNETIX client found."
ID_UNVERIFIED = "Id not yet verified: AiKYNETIX could not be asked; the next roster sync checks it."
UNREAD = (
    "AiKYNETIX could not be read ({reason}): ids are saved as not yet verified and clients are created later."
)


@dataclass
class UpstreamView:
    """What AiKYNETIX says about an import: the client directory (None if unread) and why not."""

    directory: ClientDirectory | None
    problem: str = ""  # why the directory could not be read, for the preview
    fatal: bool = False  # the key itself cannot create clients: don't offer creating

    @property
    def known_ids(self) -> set[str] | None:
        return None if self.directory is None else set(self.directory.by_uid) - {self.directory.owner_uid}


def read_upstream(org: Organization) -> UpstreamView:
    """Read the admin's clients once; every failure becomes a reason instead of an error."""
    if not provider_clients.has_key(org):
        return UpstreamView(None)
    try:
        with provider_clients.aikynetix_client(org, timeout=30) as client:
            return UpstreamView(provider_clients.read_directory(client))
    except provider_clients.ProviderDown:
        return UpstreamView(None, UNREAD.format(reason="no answer"))
    except AthleteProviderError as error:
        return UpstreamView(None, error.message, fatal=True)


@dataclass
class RowWord:
    kind: str
    text: str


def describe(
    org: Organization, plan: ImportPlan, upstream: UpstreamView, *, create: bool
) -> dict[int, RowWord]:
    """Say per row number what happens in AiKYNETIX."""
    words: dict[int, RowWord] = {}
    roster_ids = dict(
        Athlete.objects.for_org(org).exclude(aikynetix_user_id=None).values_list("aikynetix_user_id", "name")
    )
    has_key = provider_clients.has_key(org)
    for p in plan.rows:
        if p.action == "reject":
            continue
        typed = p.row.aikynetix_user_id
        if typed and has_key:
            found = upstream.known_ids is not None  # plan_import rejected the ids AiKYNETIX does not know
            words[p.row.number] = RowWord(VERIFIED, ID_FOUND) if found else RowWord(UNVERIFIED, ID_UNVERIFIED)
            continue
        if p.action != CREATE or not create:
            continue
        if upstream.fatal:
            words[p.row.number] = RowWord(REFUSED, f"Not created in AiKYNETIX: {upstream.problem}")
        elif not p.row.email:
            words[p.row.number] = RowWord(REFUSED, NO_EMAIL)
        elif upstream.directory is not None and p.row.email in upstream.directory.by_email:
            user = upstream.directory.by_email[p.row.email]
            other = roster_ids.get(user.user_uid)
            if other:
                words[p.row.number] = RowWord(REFUSED, TAKEN.format(email=p.row.email, other=other))
            else:
                label = f"{user.display_name or user.user_uid} ({p.row.email})"
                words[p.row.number] = RowWord(LINKED, WILL_LINK.format(name=label))
        else:
            words[p.row.number] = RowWord(CREATED, WILL_CREATE)
    return words


@dataclass
class UpstreamResult:
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (athlete name, why)
    pending: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = []
        if self.created or self.linked:
            lines.append(
                f"In AiKYNETIX: {len(self.created)} created, {len(self.linked)} linked to existing clients."
            )
        for name, why in self.refused:
            lines.append(f"{name}: {why}")
        if self.pending:
            lines.append(
                f"AiKYNETIX could not be reached for {', '.join(self.pending)}: they are marked "
                "“Not yet in AiKYNETIX”; create them from their page."
            )
        return lines


def create_clients(org: Organization, athletes: list[Athlete], *, actor) -> UpstreamResult:
    """Create or link the AiKYNETIX client of each athlete (with an email and no id), one at a time.

    After a quota refusal the rest are not tried (each would be refused too); after a lost connection
    the rest are marked pending.
    """
    result = UpstreamResult()
    todo = [a for a in athletes if a.email and not a.aikynetix_user_id]
    if not todo:
        return result
    stop = ""
    try:
        with provider_clients.aikynetix_client(org, timeout=30) as client:
            directory = provider_clients.read_directory(client)
            for athlete in todo:
                if stop:
                    result.refused.append((athlete.name, stop))
                    continue
                linked = athlete.email in directory.by_email
                try:
                    provider_clients.create_or_link(client, directory, athlete, actor=actor)
                except provider_clients.ProviderDown:
                    raise
                except provider_clients.QuotaReached as error:
                    result.refused.append((athlete.name, error.message))
                    stop = "Not created in AiKYNETIX: the plan's client limit is reached."
                except AthleteProviderError as error:
                    result.refused.append((athlete.name, error.message))
                else:
                    (result.linked if linked else result.created).append(athlete.name)
    except provider_clients.ProviderDown:
        done = set(result.created) | set(result.linked) | {name for name, _ in result.refused}
        for athlete in todo:
            if athlete.name not in done:
                provider_clients.mark_pending(athlete)
                result.pending.append(athlete.name)
    except AthleteProviderError as error:
        result.refused.extend((a.name, error.message) for a in todo)
    return result
