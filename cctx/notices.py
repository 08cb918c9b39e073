"""Notes for whoever runs a command, raised where a rule is applied: ``Note: …`` on stderr, never on
stdout (which may hold a JSON document). Like ``warnings``, but always shown and without a location."""

from __future__ import annotations

import sys


def note(text: str) -> None:
    """Write ``Note: text`` on stderr now."""
    sys.stderr.write(f"Note: {text}\n")
    sys.stderr.flush()
