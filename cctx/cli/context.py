"""App: what every command needs — database path, configuration, actor and the clock."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cctx.config import Config, load_config
from cctx.errors import CctxError
from cctx.times import parse_ts

if TYPE_CHECKING:
    from cctx.store import Store


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "unknown"


def config_path(option: str | None) -> Path | None:
    """--config, else CCTX_CONFIG (both handled by click), else ./cctx.yaml if present."""
    if option:
        return Path(option)
    local = Path("cctx.yaml")
    return local if local.is_file() else None


@dataclass
class App:
    """Created by the root group; the database opens on first use and closes with the context."""

    db_target: str
    config_file: Path | None
    actor: str
    debug: bool = False
    _config: Config | None = field(default=None, repr=False)
    _repo: Store | None = field(default=None, repr=False)
    _now: datetime | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from cctx.refs import set_phone_region

            self._config = load_config(self.config_file)
            set_phone_region(self._config.phone_region)  # how every phone number of this command is read
        return self._config

    @property
    def now(self) -> datetime:
        """The current time: CCTX_NOW when set, fixed for the whole command."""
        if self._now is None:
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
        click.get_current_context().call_on_close(store.close)
        return store


pass_app = click.make_pass_decorator(App)
