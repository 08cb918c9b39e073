"""History queries."""

from __future__ import annotations

import sqlite3


class HistoryRepository:
    conn: sqlite3.Connection
