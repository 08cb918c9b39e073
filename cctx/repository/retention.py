"""Retention queries."""

from __future__ import annotations

import sqlite3


class RetentionRepository:
    conn: sqlite3.Connection
