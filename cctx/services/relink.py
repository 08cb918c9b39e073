"""Bulk relink: read a `conversation,customer` file, check every row, then apply the plan in one transaction.

References are resolved in bulk (chunked IN queries) and the changes written with executemany, so a file
of 100,000 rows costs a few hundred queries, not a few hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cctx import inputs
from cctx.errors import CctxError, quote, refusal
from cctx.ids import MAX_ID
from cctx.refs import DestinationRef, PersonRef, parse_ref
from cctx.results.conversations import RelinkResult
from cctx.services.lookups import merged_targets, note_merged
from cctx.services.progress import ProgressBar, no_progress
from cctx.store import Store

HEADER = ("conversation", "customer")
ROW_KEYS = {"conversation", "customer"}
APPLY_CHUNK = 5000
MAX_ID_DIGITS = len(str(MAX_ID))  # int() of a longer text is needless, and refused past 4300 digits
MAX_REF_LENGTH = 320  # the longest destination value (an e-mail address) with its type

# One row as read: (position, location, conversation as given, customer as given or None for unlink).
RawRow = tuple[int, str, Any, Any]
# A problem: (position in the file, text); reported in file order.
Problem = tuple[int, str]


@dataclass(frozen=True)
class Change:
    conversation: int
    before: int | None
    after: int | None
    marked_before: bool = False  # the explicit-unlink mark before the change, for an undo


@dataclass
class RelinkPlan:
    """The exact changes of a relink: what --dry-run reports and what a real run writes."""

    changes: list[Change]
    linked: int = 0
    unlinked: int = 0
    unchanged: int = 0
    merged_away: dict[int, int] = field(default_factory=dict)  # merged-away person id -> the one it names

    def result(self, dry_run: bool) -> RelinkResult:
        return RelinkResult(self.linked, self.unlinked, self.unchanged, dry_run)


# --- reading ------------------------------------------------------------------------------------------

PHONE_LIKE_DIGITS = 11  # an unquoted number this long in YAML/JSON is a phone number written without its +


def _is_header(fields: list[str]) -> bool:
    """The first two fields are `conversation,customer`, in any case and spacing."""
    return [f.strip().lower() for f in fields[:2]] == list(HEADER)


def _is_csv(source: inputs.Source) -> bool:
    """A .csv file is CSV; .yaml/.yml/.json are not; otherwise the `conversation,customer` header decides."""
    if source.suffix == ".csv":
        return True
    if source.suffix in (".yaml", ".yml", ".json"):
        return False
    return _is_header(inputs.csv_first_record(source.text))  # a spreadsheet may quote it: "conversation","customer"


def _csv_rows(source: inputs.Source) -> tuple[list[RawRow], list[Problem]]:
    records = inputs.csv_records(source)
    line, header = next(records, (1, []))
    while not header:  # blank lines before the header (at the end, [""]: no header)
        line, header = next(records, (line, [""]))
    if not _is_header(header):
        source.fail(f"the header must be conversation,customer (found {quote(','.join(header))})", line)
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for line, record in records:
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        where = f"line {line}"
        if len(record) == 1:  # unlinking is always explicit: `161,` unlinks, `161` alone is a mistake
            written = quote(record[0].strip())[1:-1]
            problems.append((line, f'{where}: missing the customer field (write "{written}," to unlink)'))
            continue
        customer = record[1].strip()
        rows.append((line, where, record[0].strip(), customer or None))
    return rows, problems


def _document_rows(source: inputs.Source) -> tuple[list[RawRow], list[Problem]]:
    data = inputs.load_document(source)
    if not isinstance(data, list):
        source.fail("must be a list of {conversation: ID, customer: REF} (or CSV with a header)")
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for i, entry in enumerate(data):
        where = f"[{i}]"
        if not isinstance(entry, dict):
            problems.append((i, f"{where}: must be a mapping {{conversation: ID, customer: REF}}"))
            continue
        unknown = sorted(quote(k) for k in entry if k not in ROW_KEYS)
        if unknown:
            problems.append((i, f"{where}: unknown key {', '.join(unknown)} (conversation, customer)"))
        missing = [k for k in HEADER if k not in entry]
        if missing:
            hint = " (customer: null unlinks)" if missing == ["customer"] else ""
            problems.append((i, f"{where}: missing key {', '.join(map(repr, missing))}{hint}"))
            continue
        customer = entry["customer"]
        blank = isinstance(customer, str) and not customer.strip()
        rows.append((i, where, entry["conversation"], None if blank else customer))
    return rows, problems


def _unquoted_phone(value: Any) -> bool:
    """A YAML/JSON number as long as a phone number (``+385911234567`` written without quotes or +)."""
    return type(value) is int and len(str(value)) >= PHONE_LIKE_DIGITS


def read_rows(path: str) -> tuple[str, list[RawRow], list[Problem]]:
    """(name, rows, problems found while reading) of a relink file; ``-`` is stdin."""
    source = inputs.read_text(path)
    rows, problems = _csv_rows(source) if _is_csv(source) else _document_rows(source)
    return source.name, rows, problems


# --- checking -----------------------------------------------------------------------------------------


def _conversation_id(value: Any) -> int | None:
    if type(value) is str:  # the CSV case, kept fast
        value = int(value) if value.isdecimal() and value.isascii() and len(value) <= MAX_ID_DIGITS else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


class _Refs:
    """Customer references parsed once per distinct text."""

    def __init__(self) -> None:
        self.cache: dict[Any, PersonRef | DestinationRef | str] = {}

    def parse(self, raw: Any) -> PersonRef | DestinationRef | str:
        """The reference, or the problem text."""
        if isinstance(raw, bool) or not isinstance(raw, str | int):  # a list, a mapping, a date...
            return f"customer must be a person id or quoted text, not {quote(raw)}"
        if isinstance(raw, str) and len(raw) > MAX_REF_LENGTH:
            return f"{quote(raw)} is not a customer reference (longer than {MAX_REF_LENGTH} characters)"
        key = (type(raw), raw)
        if key in self.cache:
            return self.cache[key]
        try:
            ref: PersonRef | DestinationRef | str = parse_ref(raw)
        except CctxError as exc:
            ref = exc.message
        self.cache[key] = ref
        return ref


# One row with its references parsed: (position, location, conversation as given, conversation id or None,
# customer as given, its reference, its problem text, or None for unlink).
ParsedRow = tuple[int, str, Any, int | None, Any, PersonRef | DestinationRef | str | None]


def parse_rows(rows: list[RawRow]) -> list[ParsedRow]:
    """The rows with ids and references parsed: done once, before any lookup in the database."""
    refs = _Refs()
    return [
        (pos, where, conv, _conversation_id(conv), customer, None if customer is None else refs.parse(customer))
        for pos, where, conv, customer in rows
    ]


def _unknown_person(raw: Any, person_id: int) -> str:
    if _unquoted_phone(raw):  # YAML/JSON read +385911234567 written without quotes (or +) as a number
        return f'customer must be quoted text, not {quote(raw)} (write "+{quote(raw)}" for a phone number)'
    return f"person {person_id} not found"


def plan_relink(store: Store, parsed: list[ParsedRow], read_problems: list[Problem]) -> RelinkPlan:
    """Check every row against the database (all problems, in file order) and return the exact changes;
    raise if any is bad. Only lookups: safe to repeat inside the write transaction."""
    ids = [row[3] for row in parsed if row[3] is not None]
    states = store.conversations.link_states(sorted(set(ids)))
    named = {r.person_id for *_, r in parsed if isinstance(r, PersonRef)}
    people = store.people.existing_ids(named)
    merged_away = merged_targets(store, named - people)  # a merged-away id names the person it was merged into
    pairs = sorted({(r.type, r.value) for *_, r in parsed if isinstance(r, DestinationRef)})
    owners = store.conversations.destination_owners(pairs)
    plan = RelinkPlan(changes=[], merged_away=merged_away)
    first_seen: dict[int, str] = {}
    problems = list(read_problems)
    for pos, where, raw_conv, cid, raw_customer, ref in parsed:
        if cid is None:
            problems.append((pos, f"{where}: conversation {quote(raw_conv)} is not a conversation id"))
        elif cid in first_seen:
            problems.append((pos, f"{where}: conversation {cid} is listed twice (first at {first_seen[cid]})"))
        elif cid not in states:
            problems.append((pos, f"{where}: conversation {cid} not found"))
        elif states[cid][2] == "merged":
            problems.append((pos, f"{where}: conversation {cid} is merged; relink the conversation it was merged into"))
        if cid is not None:
            first_seen.setdefault(cid, where)
        after: int | None = None
        if isinstance(ref, str):
            problems.append((pos, f"{where}: {ref}"))
            continue
        if isinstance(ref, PersonRef):
            if ref.person_id in merged_away:
                after = merged_away[ref.person_id]
            elif ref.person_id not in people:
                problems.append((pos, f"{where}: {_unknown_person(raw_customer, ref.person_id)}"))
                continue
            else:
                after = ref.person_id
        elif isinstance(ref, DestinationRef):
            owner = owners.get((ref.type, ref.value))
            if owner is None:
                problems.append((pos, f"{where}: no person owns {ref} (relink never adds destinations)"))
                continue
            after = owner
        if problems or cid is None:
            continue  # the file is refused anyway: keep checking, stop planning
        before, marked, _ = states[cid]
        if after is not None and before != after:
            plan.linked += 1
            plan.changes.append(Change(cid, before, after, marked))
        elif after is None and (before is not None or not marked):
            plan.unlinked += 1
            plan.changes.append(Change(cid, before, None, marked))
        else:
            plan.unchanged += 1
    if problems:
        lines = [text for _, text in sorted(problems, key=lambda p: p[0])]
        raise refusal("relink refused, nothing written", lines)
    return plan


# --- applying -----------------------------------------------------------------------------------------


def relink(
    store: Store, path: str, *, now: datetime, actor: str, dry_run: bool, progress: ProgressBar = no_progress
) -> RelinkResult:
    """Check the whole file, then write every change and one audit record in one transaction.

    ``progress(n)`` opens a progress bar for the n changes; it is advanced as chunks are written.
    """
    name, rows, problems = read_rows(path)
    parsed = parse_rows(rows)
    plan = plan_relink(store, parsed, problems)  # a bad file is refused before the write lock is taken
    if dry_run:
        note_merged(plan.merged_away)
        return plan.result(dry_run=True)
    with store.transaction():
        plan = plan_relink(store, parsed, problems)  # the links, people and owners again, now nobody else writes
        changes = sorted(plan.changes, key=lambda c: c.conversation)
        with progress(len(changes)) as advance:
            for start in range(0, len(changes), APPLY_CHUNK):
                chunk = changes[start : start + APPLY_CHUNK]
                store.conversations.set_links((c.after, int(c.after is None), c.conversation) for c in chunk)
                advance(len(chunk))
        if changes:
            details = {
                "file": name, "linked": plan.linked, "unlinked": plan.unlinked, "unchanged": plan.unchanged,
                "changes": [
                    {"conversation": c.conversation, "before": c.before, "after": c.after,
                     "unlinked_explicitly_before": c.marked_before}
                    for c in changes
                ],
            }
            store.audit.record(now, actor, "conversation.relink", [c.conversation for c in changes], details)
    note_merged(plan.merged_away)
    return plan.result(dry_run=False)

