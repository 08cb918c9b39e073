"""SQLite's files: the purge lock on the database file's identity, the checkpoint that takes deleted content
out of the WAL, the journal mode and the file modes.

Everything here is SQLite-only (PostgreSQL has no files; its purge lock is an advisory lock).
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cctx.errors import Busy, Invalid
from cctx.store.engine import Connection

# The database files this process has opened for the purge lock, by identity (device, inode). They stay
# open until the process ends: closing any descriptor of a file drops every POSIX lock the process holds
# on it, and SQLite's own connections to that file hold such locks (SQLite's "How To Corrupt An SQLite
# Database File", 2.2). An flock belongs to its open file description, so it neither meets SQLite's
# POSIX locks nor is dropped by them.
_descriptors: dict[tuple[int, int], int] = {}
_held: set[tuple[int, int]] = set()

FILE_MODE = 0o600
SUFFIXES = ("", "-wal", "-shm")


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _descriptor(path: Path) -> tuple[tuple[int, int], int]:
    """The identity of the file ``path`` names (through any symlink) and this process's descriptor of it."""
    try:
        key = _identity(os.stat(path))
        fd = _descriptors.get(key)
        if fd is None:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            key = _identity(os.fstat(fd))  # the file opened, should the path have changed meanwhile
            fd = _descriptors.setdefault(key, fd)
    except OSError as exc:
        raise Invalid(f"cannot open {path} for the purge lock: {exc.strerror}") from None
    return key, fd


@contextmanager
def purge_lock(path: Path) -> Iterator[None]:
    """Hold the purge lock of the database file ``path``: an exclusive, non-blocking flock on the file
    itself, so every path, symlink or hard link to one file meets the same lock. The kernel releases it
    when the process ends, so a killed purge never leaves it stuck."""
    key, fd = _descriptor(path)
    busy = Busy(f"another purge is running on {path} (the same database file, by whatever path names it); "
                "try again when it has finished")
    if key in _held:  # this process already holds it: flock would grant it again on the same descriptor
        raise busy
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise busy from None
    _held.add(key)
    try:
        yield
    finally:
        _held.discard(key)
        fcntl.flock(fd, fcntl.LOCK_UN)


def truncate_wal(conn: Connection) -> bool:
    """Copy the whole WAL into the database file and truncate it to zero bytes (a TRUNCATE checkpoint),
    waiting up to the busy timeout for readers and writers. False when a reader or writer kept it from
    completing: then the WAL may still hold pages of deleted rows. True also when there is no WAL."""
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    return int(busy) == 0


def journal_mode(conn: Connection) -> str:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()


def tighten_modes(path: Path) -> list[tuple[Path, int]]:
    """Make the database file and its -wal and -shm that others may read or write private (0600); return
    each file changed with its mode before."""
    changed = []
    for suffix in SUFFIXES:
        file = Path(f"{path}{suffix}")
        try:
            mode = stat.S_IMODE(os.stat(file).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                os.chmod(file, FILE_MODE)
            except OSError as exc:
                raise Invalid(f"cannot make {file} private (mode {FILE_MODE:04o}): {exc.strerror}") from None
            changed.append((file, mode))
    return changed
