"""`db init` and `db stats`."""

from __future__ import annotations

from typing import Any

from cctx.errors import Invalid
from cctx.repository import Repository
from cctx.repository.base import schema_version


def init_schema(repo: Repository) -> dict[str, Any]:
    version = repo.user_version
    if version > schema_version():
        repo.check_version()  # names the newer schema; nothing is changed
    foreign = repo.table_names() if version == 0 else []
    if foreign:
        tables = ", ".join(foreign[:5])
        raise Invalid(f"{repo.name} is not a cctx database: it already holds other tables ({tables}); nothing changed")
    before, after = repo.migrate()
    return {"database": repo.name, "schema_version": after, "upgraded_from": before if before != after else None}


def stats(repo: Repository) -> dict[str, Any]:
    counts = repo.table_counts()
    return {
        **counts,
        "conversations_by_status": repo.conversations_by_status(),
        "schema_version": repo.user_version,
        "engine": repo.engine.name,
    }
