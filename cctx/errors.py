"""The one error hierarchy of cctx. Each error carries its exit code; nothing here imports click."""

from __future__ import annotations


class CctxError(Exception):
    """A request that cannot be done. Printed as ``Error: <message>``; exits with ``exit_code``."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  {p}" for p in self.problems)


class NotFound(CctxError):
    """A person, conversation, agent, queue or file that does not exist."""


class Invalid(CctxError):
    """Input that breaks a rule: a bad reference, timestamp, file or state."""


class Conflict(CctxError):
    """The request collides with what is stored: an owned destination, an existing id."""


class ConfigError(CctxError):
    """The configuration file is unreadable or has an unknown key or a wrong type."""


class Busy(CctxError):
    """The database stayed locked past the busy timeout, or another purge holds the purge lock."""

    exit_code = 3


def refusal(summary: str, problems: list[str]) -> Invalid:
    """A request refused for every one of ``problems``: ``<summary>: N problem(s)``, then each problem."""
    from cctx.words import plural

    return Invalid(f"{summary}: {plural(len(problems), 'problem')}", problems)


QUOTE_LIMIT = 80


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as an error message shows it: text quoted and cut to ``limit`` characters, a number of many
    digits cut the same way, a list or mapping named rather than printed (its repr may be huge or endless)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 3 * limit:  # str() of a huge number is slow, and refused past 4300 digits
            return f"a number of about {int(value.bit_length() * 0.30103)} digits"
        text = str(value)
        return text if len(text) <= limit else text[:limit] + "…"
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return quote(str(isoformat()), limit)
    return f"a {type(value).__name__}"
