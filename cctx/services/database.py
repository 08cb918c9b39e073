"""`db init` and `db stats`."""

from __future__ import annotations

from typing import Any

from cctx.errors import Invalid
from cctx.repository import Repository, locks
from cctx.repository.base import schema_version


def init_schema(repo: Repository) -> dict[str, Any]:
    """Create or upgrade the schema. On SQLite also make an existing file private again (0600, with its -wal
    and -shm) and put it back in WAL mode (a killed tool may have left it in another journal mode); the
    result names what was repaired."""
    version = repo.user_version
    if version > schema_version():
        repo.check_version()  # names the newer schema; nothing is changed
    foreign = repo.table_names() if version == 0 else []
    if foreign:
        tables = ", ".join(foreign[:5])
        raise Invalid(f"{repo.name} is not a cctx database: it already holds other tables ({tables}); nothing changed")
    sqlite = repo.engine.name == "sqlite"
    journal = locks.journal_mode(repo.conn) if sqlite and version else "wal"
    tightened = locks.tighten_modes(repo.path) if sqlite else []
    before, after = repo.migrate()  # sets WAL mode
    if sqlite:
        tightened += locks.tighten_modes(repo.path)  # a -wal or -shm opened before the file was tightened
    return {
        "database": repo.name,
        "schema_version": after,
        "upgraded_from": before if before != after else None,
        "files_tightened": [{"file": str(path), "mode_before": f"{mode:04o}"} for path, mode in tightened],
        "wal_restored_from": None if journal == "wal" else journal,
    }


def stats(repo: Repository) -> dict[str, Any]:
    counts = repo.table_counts()
    return {
        **counts,
        "conversations_by_status": repo.conversations_by_status(),
        "schema_version": repo.user_version,
        "engine": repo.engine.name,
    }
