"""Who is acting, as the audit log records it: 1 to 100 printable characters.

Checked where the actor is resolved (--actor, CCTX_ACTOR, the login name) and again where an audit record
is written, so no control character, line break or endless name ever reaches the audit log.
"""

from __future__ import annotations

from cctx.errors import quote

MAX_ACTOR = 100


def actor_problem(name: str) -> str | None:
    """Why ``name`` cannot be an actor, or None when it can."""
    if not name or not name.strip():
        return "the actor cannot be empty"
    if len(name) > MAX_ACTOR:
        return f"the actor is {len(name)} characters long, at most {MAX_ACTOR} are allowed"
    if not name.isprintable():
        return f"the actor {quote(name)} holds a control or non-printable character"
    return None
