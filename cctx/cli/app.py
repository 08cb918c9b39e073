"""App: what every command needs — database path, configuration, actor and the clock. Free of click, so
that the fast path of the reads (cli/fast.py) runs without it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cctx.errors import CctxError

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from cctx.config import Config
    from cctx.store import Store


def default_actor() -> str:
    import getpass  # only when no --actor or CCTX_ACTOR names one

    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "unknown"


def resolve_actor(given: str | None) -> str:
    """Who is acting: --actor, else CCTX_ACTOR (given), else the login name; ValueError unless it is 1 to
    100 printable characters."""
    from cctx.actors import actor_problem

    name = default_actor() if given is None else given
    problem = actor_problem(name)
    if problem is not None:
        raise ValueError(problem + ("" if given is not None else " (the login name; give --actor NAME)"))
    return name


def config_path(option: str | None) -> Path | None:
    """--config, else CCTX_CONFIG (both read by click or the fast path), else ./cctx.yaml if present."""
    if not option and not os.path.isfile("cctx.yaml"):
        return None
    from pathlib import Path  # only when there is a file to read

    return Path(option or "cctx.yaml")


class App:
    """Created by the root group (or the fast path); the database opens on first use, and ``close`` closes
    every database it opened."""

    def __init__(self, db_target: str, config_file: Path | None, actor: str, debug: bool = False) -> None:
        self.db_target = db_target
        self.config_file = config_file
        self.actor = actor
        self.debug = debug
        self._config: Config | None = None
        self._repo: Store | None = None
        self._opened: list[Store] = []
        self._now: datetime | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from cctx.config import load_config
            from cctx.refs import set_phone_region

            self._config = load_config(self.config_file)
            set_phone_region(self._config.phone_region)  # how every phone number of this command is read
        return self._config

    @property
    def now(self) -> datetime:
        """The current time: CCTX_NOW when set, fixed for the whole command."""
        if self._now is None:
            from datetime import UTC, datetime  # not for --help, which makes no App but imports this module

            from cctx.times import parse_ts

            fixed = os.environ.get("CCTX_NOW")
            self._now = parse_ts(fixed, "CCTX_NOW") if fixed else datetime.now(UTC).replace(microsecond=0)
        return self._now

    @property
    def store(self) -> Store:
        """The database, which must exist."""
        if self._repo is None:
            self._repo = self._open(create=False)
        return self._repo

    def create_store(self) -> Store:
        """The database, created (mode 0600) if missing: for `db init` only."""
        if self._repo is None:
            self._repo = self._open(create=True)
        return self._repo

    def open_other(self, target: str) -> Store:
        """Another database that must exist and hold the schema (the target of `db copy`)."""
        return self._open(create=False, target=target)

    def _open(self, *, create: bool, target: str | None = None) -> Store:
        from cctx.store import Store

        target = target or self.db_target
        try:
            store = Store.open(target, self.config.busy_timeout_ms, create=create)
        except OSError as exc:  # a missing directory, no permission: a clear error, not a traceback
            raise CctxError(f"database {target}: {exc.strerror or exc}") from None
        self._opened.append(store)
        return store

    def close(self) -> None:
        """Close every database this command opened."""
        while self._opened:
            self._opened.pop().close()
