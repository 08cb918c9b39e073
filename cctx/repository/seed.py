"""Seed queries."""

from __future__ import annotations

import sqlite3


class SeedRepository:
    conn: sqlite3.Connection
