"""`db doctor`: is the database sound? Each check counts the rows (or files) that break one rule and names a
few; `--fix` repairs what can be derived from the rest (counters, last_activity_at, auto-links, journal
mode, file permissions) in one audited transaction, then checks again.

The checks on the data are set-based queries, the same on both engines; the engine's own integrity
checks, the WAL and the file's mode are SQLite's and skipped on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cctx.store import Store
from cctx.store.doctor import DATA_CHECKS, EXAMPLES

FIXABLE = ("counters", "last_activity_at", "autolink", "journal_mode", "file_mode")
# A purge or an erasure ends with the WAL cleared, so deleted content does not survive in it.
_CLEARING_ACTIONS = ("history.purge", "customer.erase")


@dataclass(frozen=True)
class Problem:
    check: str
    count: int
    examples: list[Any]

    @property
    def fixable(self) -> bool:
        return self.check in FIXABLE

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "count": self.count, "examples": self.examples, "fixable": self.fixable}


@dataclass(frozen=True)
class DoctorReport:
    checks: list[str]
    problems: list[Problem]
    fixed: dict[str, int] | None = field(default=None)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ok": self.ok, "problems": [p.to_dict() for p in self.problems], "checks": self.checks,
        }
        if self.fixed is not None:
            result["fixed"] = self.fixed
        return result


def _sqlite_checks(store: Store) -> list[tuple[str, int, list[Any]]]:
    store.doctor.sqlite_read_mapped()
    integrity = store.doctor.sqlite_integrity()
    foreign = store.doctor.sqlite_foreign_key_violations()
    data = _data_checks(store)
    last = store.doctor.last_audit_action()
    wal_left = last is not None and last[1] in _CLEARING_ACTIONS and store.doctor.sqlite_wal_size() > 0
    mode = store.doctor.sqlite_journal_mode()
    loose = [str(p) for p in store.doctor.sqlite_files() if store.doctor.file_mode(p) != 0o600]
    return [
        ("integrity", len(integrity), integrity[:EXAMPLES]),
        ("foreign_keys", len(foreign), foreign[:EXAMPLES]),
        *data,
        ("wal_cleared", int(wal_left), [last[0]] if wal_left and last else []),
        ("journal_mode", int(mode != "wal"), [mode] if mode != "wal" else []),
        ("file_mode", len(loose), loose[:EXAMPLES]),
    ]


def _data_checks(store: Store) -> list[tuple[str, int, list[Any]]]:
    counters, last = store.doctor.item_total_problems()
    results: list[tuple[str, int, list[Any]]] = [
        ("counters", len(counters), counters[:EXAMPLES]), ("last_activity_at", len(last), last[:EXAMPLES]),
    ]
    for check in DATA_CHECKS[2:]:
        if check in PHONE_CHECKS:
            ids = sorted(set(store.doctor.rule_problem_ids(check)) | _not_as_libphonenumber_writes(store, check))
            results.append((check, len(ids), ids[:EXAMPLES]))
        else:
            results.append((check, *store.doctor.rule_problems(check)))
    return results


PHONE_CHECKS = ("phone_destinations", "phone_contacts")


def _not_as_libphonenumber_writes(store: Store, check: str) -> set[int]:
    """Ids whose phone has the E.164 shape but another form in libphonenumber's reading (phonenumbers is
    imported only when some value is not recognised as canonical at once)."""
    from cctx.phones import canonical, number_key

    return {i for i, value in store.doctor.shaped_phones(check) if not canonical(value) and number_key(value) != value}


def check(store: Store) -> DoctorReport:
    """Run every check of this engine; read only."""
    results = _sqlite_checks(store) if store.doctor.is_sqlite else _data_checks(store)
    return DoctorReport(
        checks=[name for name, _, _ in results],
        problems=[Problem(name, count, examples) for name, count, examples in results if count],
    )


def fix(store: Store, *, now: datetime, actor: str) -> DoctorReport:
    """Repair what is derivable, in one transaction with an audit record `db.fix`, then check again."""
    found = {p.check: p for p in check(store).problems if p.fixable}
    fixed: dict[str, int] = {}
    if "file_mode" in found:
        for path in store.doctor.sqlite_files():
            if store.doctor.file_mode(path) != 0o600:
                store.doctor.tighten_file(path)
        fixed["file_mode"] = found["file_mode"].count
    if "journal_mode" in found:  # cannot change inside a transaction
        store.doctor.sqlite_set_wal()
        fixed["journal_mode"] = 1
    if found.keys() & {"counters", "last_activity_at", "autolink"} or fixed:
        with store.transaction():
            counters, last = store.doctor.item_total_problems()
            autolink = store.doctor.rule_problem_ids("autolink")
            ids = {"counters": counters, "last_activity_at": last, "autolink": autolink}
            recount = sorted({*ids["counters"], *ids["last_activity_at"]})
            relink = ids["autolink"]
            store.conversations.recount(recount)
            store.doctor.autolink_to_owners(relink)
            fixed.update({name: len(found) for name, found in ids.items() if found})
            details = {"fixed": dict(fixed), "conversations": sorted({*recount, *relink})}
            store.audit.record(now, actor, "db.fix", [], details)
    after = check(store)
    return DoctorReport(after.checks, after.problems, fixed)
