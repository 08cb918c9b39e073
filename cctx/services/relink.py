"""Bulk relink: read a `conversation,customer` file, check every row, then apply the plan in one transaction.

References are resolved in bulk (chunked IN queries) and the changes written with executemany, so a file
of 100,000 rows costs a few hundred queries, not a few hundred thousand.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cctx.errors import CctxError, Invalid, NotFound, refusal
from cctx.refs import MAX_ID, DestinationRef, PersonRef, parse_ref
from cctx.repository import Repository
from cctx.services.progress import ProgressBar, no_progress

HEADER = ("conversation", "customer")
ROW_KEYS = {"conversation", "customer"}
APPLY_CHUNK = 5000

# One row as read: (position, location, conversation as given, customer as given or None for unlink).
RawRow = tuple[int, str, Any, Any]
# A problem: (position in the file, text); reported in file order.
Problem = tuple[int, str]


@dataclass(frozen=True)
class Change:
    conversation: int
    before: int | None
    after: int | None


@dataclass
class RelinkPlan:
    """The exact changes of a relink: what --dry-run reports and what a real run writes."""

    changes: list[Change]
    linked: int = 0
    unlinked: int = 0
    unchanged: int = 0

    def result(self, dry_run: bool) -> dict[str, Any]:
        return {"linked": self.linked, "unlinked": self.unlinked, "unchanged": self.unchanged, "dry_run": dry_run}


# --- reading ------------------------------------------------------------------------------------------


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read().removeprefix("\ufeff")  # a spreadsheet's UTF-8 export starts with a BOM
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"{path}: cannot be read ({exc})") from None


def _is_header(fields: list[str]) -> bool:
    """The first two fields are `conversation,customer`, in any case and spacing."""
    return [f.strip().lower() for f in fields[:2]] == list(HEADER)


def _looks_like_csv(path: str, text: str) -> bool:
    """A .csv file is CSV; .yaml/.yml/.json are not; otherwise the `conversation,customer` header decides."""
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix == ".csv":
        return True
    if suffix in (".yaml", ".yml", ".json"):
        return False
    first = text.lstrip().split("\n", 1)[0]
    header = next(csv.reader([first]), [])  # a spreadsheet may quote it: "conversation","customer"
    return _is_header(header)


def _csv_rows(name: str, text: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or not _is_header(header):
        raise Invalid(f"{name}: line 1: the header must be conversation,customer (found {','.join(header or [])!r})")
    rows: list[RawRow] = []
    for record in reader:
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        customer = record[1].strip() if len(record) > 1 else ""
        rows.append((reader.line_num, f"line {reader.line_num}", record[0].strip(), customer or None))
    return rows


def _json_or_yaml(text: str) -> Any:
    """JSON (fast) when it is JSON, else YAML: a YAML flow list also starts with `[`."""
    import yaml

    if text.lstrip().startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe


def _document_rows(name: str, path: str, text: str) -> tuple[list[RawRow], list[Problem]]:
    import yaml

    try:
        if path.endswith(".json"):
            data = json.loads(text)
        else:
            data = _json_or_yaml(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise Invalid(f"{name}: not CSV with a conversation,customer header, nor valid YAML or JSON ({exc})"
                      .replace("\n", " ")) from None
    if not isinstance(data, list):
        raise Invalid(f"{name}: must be a list of {{conversation: ID, customer: REF}} (or CSV with a header)")
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for i, entry in enumerate(data):
        where = f"[{i}]"
        if not isinstance(entry, dict):
            problems.append((i, f"{where}: must be a mapping {{conversation: ID, customer: REF}}"))
            continue
        unknown = sorted(str(k) for k in entry if k not in ROW_KEYS)
        if unknown:
            problems.append((i, f"{where}: unknown key {', '.join(map(repr, unknown))} (conversation, customer)"))
        if "conversation" not in entry:
            problems.append((i, f"{where}: missing key 'conversation'"))
            continue
        customer = entry.get("customer")
        blank = isinstance(customer, str) and not customer.strip()
        rows.append((i, where, entry["conversation"], None if blank else customer))
    return rows, problems


def read_rows(path: str) -> tuple[str, list[RawRow], list[Problem]]:
    """(name, rows, problems found while reading) of a relink file; ``-`` is stdin."""
    name = "<stdin>" if path == "-" else path
    text = _read_text(path)
    if _looks_like_csv(path, text):
        return name, _csv_rows(name, text), []
    rows, problems = _document_rows(name, path, text)
    return name, rows, problems


# --- checking -----------------------------------------------------------------------------------------


def _conversation_id(value: Any) -> int | None:
    if type(value) is str:  # the CSV case, kept fast
        value = int(value) if value.isdecimal() and value.isascii() else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


class _Refs:
    """Customer references parsed once per distinct text."""

    def __init__(self) -> None:
        self.cache: dict[Any, PersonRef | DestinationRef | str] = {}

    def parse(self, raw: Any) -> PersonRef | DestinationRef | str:
        """The reference, or the problem text."""
        key = (type(raw), raw) if not isinstance(raw, dict | list) else None
        if key is not None and key in self.cache:
            return self.cache[key]
        try:
            ref: PersonRef | DestinationRef | str = parse_ref(raw)
        except CctxError as exc:
            ref = exc.message
        if key is not None:
            self.cache[key] = ref
        return ref


def plan_relink(repo: Repository, rows: list[RawRow], read_problems: list[Problem]) -> RelinkPlan:
    """Check every row (all problems, in file order) and return the exact changes; raise if any is bad."""
    refs = _Refs()
    parsed: list[tuple[int, str, Any, int | None, PersonRef | DestinationRef | str | None]] = [
        (pos, where, conv, _conversation_id(conv), None if customer is None else refs.parse(customer))
        for pos, where, conv, customer in rows
    ]
    ids = [cid for _, _, _, cid, _ in parsed if cid is not None]
    states = repo.link_states(sorted(set(ids)))
    people = repo.existing_person_ids({r.person_id for *_, r in parsed if isinstance(r, PersonRef)})
    pairs = sorted({(r.type, r.value) for *_, r in parsed if isinstance(r, DestinationRef)})
    owners = repo.destination_owners(pairs)
    plan = RelinkPlan(changes=[])
    first_seen: dict[int, str] = {}
    problems = list(read_problems)
    for pos, where, raw_conv, cid, ref in parsed:
        if cid is None:
            problems.append((pos, f"{where}: conversation {raw_conv!r} is not a conversation id"))
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
            if ref.person_id not in people:
                problems.append((pos, f"{where}: person {ref.person_id} not found"))
                continue
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
            plan.changes.append(Change(cid, before, after))
        elif after is None and (before is not None or not marked):
            plan.unlinked += 1
            plan.changes.append(Change(cid, before, None))
        else:
            plan.unchanged += 1
    if problems:
        lines = [text for _, text in sorted(problems, key=lambda p: p[0])]
        raise refusal("relink refused, nothing written", lines)
    return plan


# --- applying -----------------------------------------------------------------------------------------


def relink(
    repo: Repository, path: str, *, now: str, actor: str, dry_run: bool, progress: ProgressBar = no_progress
) -> dict[str, Any]:
    """Check the whole file, then write every change and one audit record in one transaction.

    ``progress(n)`` opens a progress bar for the n changes; it is advanced as chunks are written.
    """
    name, rows, problems = read_rows(path)
    if dry_run:
        return plan_relink(repo, rows, problems).result(dry_run=True)
    with repo.transaction():
        plan = plan_relink(repo, rows, problems)
        changes = sorted(plan.changes, key=lambda c: c.conversation)
        with progress(len(changes)) as advance:
            for start in range(0, len(changes), APPLY_CHUNK):
                chunk = changes[start : start + APPLY_CHUNK]
                repo.set_links((c.after, int(c.after is None), c.conversation) for c in chunk)
                advance(len(chunk))
        if changes:
            details = {
                "file": name, "linked": plan.linked, "unlinked": plan.unlinked, "unchanged": plan.unchanged,
                "changes": [{"conversation": c.conversation, "before": c.before, "after": c.after} for c in changes],
            }
            repo.record_audit(now, actor, "conversation.relink", [c.conversation for c in changes], details)
    return plan.result(dry_run=False)

