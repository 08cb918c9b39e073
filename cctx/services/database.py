"""`db init` and `db stats`."""

from __future__ import annotations

from cctx.errors import Invalid
from cctx.results.admin import FileTightened, InitResult, Stats
from cctx.store import Store, locks
from cctx.store.base import SCHEMA_VERSION


def init_schema(store: Store) -> InitResult:
    """Create or upgrade the schema. On SQLite also make an existing file private again (0600, with its -wal
    and -shm) and put it back in WAL mode (a killed tool may have left it in another journal mode); the
    result names what was repaired."""
    version = store.user_version
    if version > SCHEMA_VERSION:
        store.check_version()  # names the newer schema; nothing is changed
    foreign = store.stats.table_names() if version == 0 else []
    if foreign:
        tables = ", ".join(foreign[:5])
        raise Invalid(f"{store.name} is not a cctx database: it already holds other tables ({tables}); nothing changed")
    sqlite = store.engine.name == "sqlite"
    journal = locks.journal_mode(store.conn) if sqlite and version else "wal"
    tightened = locks.tighten_modes(store.path) if sqlite else []
    before, after = store.migrate()  # sets WAL mode
    if sqlite:
        tightened += locks.tighten_modes(store.path)  # a -wal or -shm opened before the file was tightened
    return InitResult(
        database=store.name,
        schema_version=after,
        upgraded_from=before if before != after else None,
        files_tightened=tuple(FileTightened(str(path), f"{mode:04o}") for path, mode in tightened),
        wal_restored_from=None if journal == "wal" else journal,
    )


def stats(store: Store) -> Stats:
    return Stats(
        store.stats.table_counts(), store.stats.conversations_by_status(), store.user_version, store.engine.name
    )
