"""Import athletes from a CSV file: read it, plan every row against the roster, then apply the plan.

The preview and the import use the same plan, computed on the server from the file the server kept,
so what a person confirms is what gets written. Empty cells never erase what the roster already has.
"""

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from coachportal.csvsafe import unescape_cell
from coachportal.organizations.models import AuditEvent, Organization

from .models import NAME_MAX, USER_ID_MAX, Athlete, normalize_email, normalize_user_id
from .signals import roster_user_ids_changed, user_id_changed

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
FIELDS = ("name", "email", "aikynetix_user_id", "notes")
FIELD_LABELS = {
    "name": "name",
    "email": "email",
    "aikynetix_user_id": "AiKYNETIX user id",
    "notes": "notes",
}

# Header cells are compared without case, spaces or punctuation: "AiKYNETIX user id" == "user_id".
HEADER_ALIASES = {
    "name": "name",
    "fullname": "name",
    "athlete": "name",
    "athletename": "name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "aikynetixuserid": "aikynetix_user_id",
    "aikynetixid": "aikynetix_user_id",
    "aikynetix": "aikynetix_user_id",
    "userid": "aikynetix_user_id",
    "notes": "notes",
    "note": "notes",
    "comments": "notes",
}

EMPTY = "This file is empty. Export the roster from your spreadsheet as CSV and try again."
TOO_LARGE = f"This file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."
TOO_MANY_ROWS = f"This file has more than {MAX_ROWS:,} athletes. Split it into smaller files."
WORKBOOK = (
    "This is a spreadsheet workbook (such as .xlsx), not a CSV file. "
    "In your spreadsheet choose Save As or Download, then “CSV UTF-8”."
)
NOT_CSV = "This is not a CSV file. Choose a .csv file saved as “CSV UTF-8” from your spreadsheet."
NOT_UTF8 = (
    "This file is not UTF-8 text, so names with accents would come out wrong. "
    "Save it again as “CSV UTF-8” and upload that file."
)
NO_NAME_COLUMN = (
    "The first row must name the columns, and one of them must be “name”. "
    "Expected columns: name, email, aikynetix_user_id, notes."
)
NO_ROWS = "The file has a header row but no athletes below it."
UNREADABLE = "Row {row} could not be read as CSV ({error}). Check its quotes and try again."
SAME_COLUMN_TWICE = "The columns “{first}” and “{second}” both mean {label}. Keep one of them."


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the person who uploaded it."""


def header_key(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


@dataclass(frozen=True)
class CsvRow:
    number: int  # the row as a spreadsheet numbers it: the header is row 1
    name: str
    email: str
    aikynetix_user_id: str | None
    notes: str


@dataclass
class ParsedFile:
    rows: list[CsvRow]
    columns: list[str]  # the fields the file has, in FIELDS order
    ignored_columns: list[str]


def decode_csv(data: bytes) -> str:
    """Return the text of an uploaded CSV file, or raise ImportFileError saying what is wrong with it."""
    if not data.strip():
        raise ImportFileError(EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(TOO_LARGE)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(WORKBOOK)
    if b"\x00" in data:
        raise ImportFileError(NOT_CSV)  # images, PDFs, UTF-16 "Unicode text"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_UTF8) from None
    if not text.strip():
        raise ImportFileError(EMPTY)  # only a byte order mark
    return text


def _delimiter(text: str) -> str:
    """Pick the delimiter from the header line: spreadsheets in many locales write `;` instead of `,`."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


def parse_text(text: str) -> ParsedFile:
    """Read the rows of a decoded CSV file, or raise ImportFileError if it has none we can use."""
    if not text.strip():
        raise ImportFileError(EMPTY)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader, [])
        columns: dict[int, str] = {}
        seen: dict[str, str] = {}
        ignored = []
        for index, cell in enumerate(header):
            name = HEADER_ALIASES.get(header_key(cell))
            if name is None:
                if cell.strip():
                    ignored.append(cell.strip())
                continue
            if name in seen:
                raise ImportFileError(
                    SAME_COLUMN_TWICE.format(first=seen[name], second=cell.strip(), label=FIELD_LABELS[name])
                )
            seen[name] = cell.strip()
            columns[index] = name
        if "name" not in seen:
            raise ImportFileError(NO_NAME_COLUMN)

        rows = []
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines, often at the end of a file
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            values = dict.fromkeys(FIELDS, "")
            for index, cell in enumerate(record):
                if index in columns:
                    values[columns[index]] = unescape_cell(cell.strip()).strip()
            rows.append(
                CsvRow(
                    number=number,
                    name=values["name"],
                    email=normalize_email(values["email"]),
                    aikynetix_user_id=normalize_user_id(values["aikynetix_user_id"]),
                    notes=values["notes"],
                )
            )
    except csv.Error as error:
        raise ImportFileError(UNREADABLE.format(row=reader.line_num, error=error)) from None
    if not rows:
        raise ImportFileError(NO_ROWS)
    return ParsedFile(rows=rows, columns=[f for f in FIELDS if f in seen], ignored_columns=ignored)


CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


@dataclass
class Change:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]


@dataclass
class RowPlan:
    row: CsvRow
    action: str
    athlete: Athlete | None = None  # the athlete to update
    reason: str = ""  # why the row is rejected
    changes: list[Change] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    columns: list[str]
    ignored_columns: list[str]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in (CREATE, UPDATE, UNCHANGED, REJECT)}

    @property
    def writes(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)

    @property
    def fingerprint(self) -> str:
        """Identify what this plan does, so a confirm can tell that the roster changed since the preview."""
        text = "\n".join(f"{r.row.number}:{r.action}:{r.athlete.pk if r.athlete else ''}" for r in self.rows)
        return hashlib.sha256(text.encode()).hexdigest()


def _field_errors(row: CsvRow) -> str:
    if not row.name:
        return "Name is missing."
    if len(row.name) > NAME_MAX:
        return f"Name is longer than {NAME_MAX} characters."
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            return f"“{row.email}” is not a valid email address."
    if row.aikynetix_user_id and len(row.aikynetix_user_id) > USER_ID_MAX:
        return f"AiKYNETIX user id is longer than {USER_ID_MAX} characters."
    return ""


UNKNOWN_ID = "AiKYNETIX has no client with the id “{user_id}” under the organization's key."


def plan_import(org: Organization, parsed: ParsedFile, *, known_ids: set[str] | None = None) -> ImportPlan:
    """Decide for each row whether it creates, updates or leaves an athlete alone, or why it is rejected.

    A row matches an athlete of `org` by AiKYNETIX user id first, then by email. With `known_ids` (the
    ids of the organization's AiKYNETIX clients), a row that brings a new id AiKYNETIX does not know is
    rejected.
    """
    roster = list(Athlete.objects.for_org(org))
    by_user_id = {a.aikynetix_user_id: a for a in roster if a.aikynetix_user_id}
    by_email: dict[str, list[Athlete]] = defaultdict(list)
    for athlete in roster:
        if athlete.email:
            by_email[athlete.email].append(athlete)

    user_id_rows: dict[str, int] = {}
    email_rows: dict[str, int] = {}
    claimed: dict[int, int] = {}  # athlete pk -> the row that updates it
    plans = []

    def reject(row, reason):
        plans.append(RowPlan(row=row, action=REJECT, reason=reason))

    for row in parsed.rows:
        problem = _field_errors(row)
        if problem:
            reject(row, problem)
            continue
        if row.aikynetix_user_id and row.aikynetix_user_id in user_id_rows:
            reject(row, f"Same AiKYNETIX user id as row {user_id_rows[row.aikynetix_user_id]}.")
            continue
        if row.email and row.email in email_rows:
            reject(row, f"Same email as row {email_rows[row.email]}.")
            continue
        if row.aikynetix_user_id:
            user_id_rows[row.aikynetix_user_id] = row.number
        if row.email:
            email_rows[row.email] = row.number

        target = by_user_id.get(row.aikynetix_user_id) if row.aikynetix_user_id else None
        same_email = by_email.get(row.email, []) if row.email else []
        if target is not None:
            others = [a for a in same_email if a.pk != target.pk]
            if others and target.email != row.email:
                reject(
                    row,
                    f"AiKYNETIX user id “{row.aikynetix_user_id}” is taken by {target.name}, "
                    f"but {row.email} belongs to {others[0].name}.",
                )
                continue
        elif len(same_email) > 1:
            reject(
                row,
                f"{row.email} belongs to {len(same_email)} athletes; add the AiKYNETIX user id "
                "to say which one.",
            )
            continue
        elif same_email:
            target = same_email[0]
            if row.aikynetix_user_id and target.aikynetix_user_id:
                reject(
                    row,
                    f"{row.email} belongs to {target.name}, whose AiKYNETIX user id is "
                    f"“{target.aikynetix_user_id}”, not “{row.aikynetix_user_id}”. "
                    "Change it on the athlete's page if it is wrong.",
                )
                continue

        new_id = row.aikynetix_user_id and (
            target is None or target.aikynetix_user_id != row.aikynetix_user_id
        )
        if new_id and known_ids is not None and row.aikynetix_user_id not in known_ids:
            reject(row, UNKNOWN_ID.format(user_id=row.aikynetix_user_id))
            continue
        if target is None:
            plans.append(RowPlan(row=row, action=CREATE))
            continue
        if target.pk in claimed:
            reject(row, f"Matches {target.name}, who is already updated by row {claimed[target.pk]}.")
            continue
        claimed[target.pk] = row.number
        changes = [
            Change(name, getattr(target, name) or "", getattr(row, name))
            for name in FIELDS
            if getattr(row, name) and getattr(row, name) != (getattr(target, name) or "")
        ]
        plans.append(
            RowPlan(row=row, action=UPDATE if changes else UNCHANGED, athlete=target, changes=changes)
        )

    return ImportPlan(rows=plans, columns=parsed.columns, ignored_columns=parsed.ignored_columns)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int
    new_athletes: list[Athlete] = field(default_factory=list)


def apply_import(
    org: Organization, plan: ImportPlan, *, actor, filename: str, ids_verified: bool = False
) -> ImportResult:
    """Write every valid row of `plan` in one transaction and record one audit event for the import.

    `ids_verified`: the plan was made with AiKYNETIX's client ids, so the new ids are known to exist;
    otherwise they are saved as not yet verified (when the organization has an AiKYNETIX key).
    """
    now = timezone.now()
    id_state = Athlete.ProviderState.VERIFIED if ids_verified else Athlete.ProviderState.UNVERIFIED
    new = []
    for p in plan.rows:
        if p.action == CREATE:
            athlete = Athlete(
                organization=org,
                name=p.row.name,
                email=p.row.email,
                aikynetix_user_id=p.row.aikynetix_user_id,
                notes=p.row.notes,
            )
            if athlete.aikynetix_user_id:
                athlete.aikynetix_state, athlete.aikynetix_checked_at = id_state, now
            athlete.normalize()
            new.append(athlete)
    changed = []
    for p in plan.rows:
        if p.action == UPDATE:
            for change in p.changes:
                setattr(p.athlete, change.field, change.new)
                if change.field == "aikynetix_user_id":
                    p.athlete.aikynetix_state, p.athlete.aikynetix_checked_at = id_state, now
                    p.athlete.provider_attributes = {}
            p.athlete.normalize()
            p.athlete.updated_at = now  # bulk_update does not run auto_now
            changed.append(p.athlete)
    with transaction.atomic():
        created = Athlete.objects.bulk_create(new, batch_size=500)
        Athlete.objects.bulk_update(
            changed,
            [*FIELDS, "aikynetix_state", "aikynetix_checked_at", "provider_attributes", "updated_at"],
            batch_size=500,
        )
        # Sessions already in the library follow the user ids: detach from changed ids, attach new ones.
        for p in plan.rows:
            if p.action == UPDATE and any(c.field == "aikynetix_user_id" for c in p.changes):
                user_id_changed.send(sender=Athlete, athlete=p.athlete)
        roster_user_ids_changed.send(sender=Athlete, organization=org)
        result = ImportResult(
            created=len(created),
            updated=len(changed),
            unchanged=plan.count(UNCHANGED),
            rejected=plan.count(REJECT),
            new_athletes=created,
        )
        AuditEvent.record(
            org,
            actor,
            "athlete.imported",
            filename=filename[:200],
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            created_ids=[a.pk for a in created if a.pk],
            updated_ids=[a.pk for a in changed],
        )
    return result


# The preview survives to the confirm step in the server-side session (database-backed): the client
# only echoes a digest, so it cannot change what gets imported, and nobody has to upload the file twice.
# One pending file per organization; MAX_FILE_BYTES bounds the session row.
def _session_key(org: Organization) -> str:
    return f"athlete_import:{org.pk}"


def keep_pending(
    session, org: Organization, *, filename: str, text: str, create_upstream: bool = False
) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    session[_session_key(org)] = {
        "filename": filename[:200],
        "text": text,
        "digest": digest,
        "create_upstream": create_upstream,
    }
    return digest


def pending(session, org: Organization) -> dict | None:
    return session.get(_session_key(org))


def discard_pending(session, org: Organization) -> None:
    session.pop(_session_key(org), None)
