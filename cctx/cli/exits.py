"""How the process ends: with an error's exit code, or when the person or the pipe stops it.

- An error (CctxError, or the database's own): ``Error: <message>`` on stderr, the error's exit code.

- Ctrl-C (SIGINT; click's Abort): ``Interrupted`` on stderr, exit 130. What was committed stays
  committed: a write transaction that was open is rolled back, so each change is whole or absent.
- stdout closed by its reader (``cctx ... | head``): exit 141, as a shell reports a process ended by
  SIGPIPE, with no message. stdout is then pointed at /dev/null, so that nothing left in its buffer
  fails again when the interpreter flushes it on the way out.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

from cctx.errors import Busy, CctxError

INTERRUPTED = 130
STDOUT_CLOSED = 141


class StdoutClosed(BaseException):
    """stdout's reader has gone. A BaseException, like KeyboardInterrupt, so that no handler of errors
    takes it for one (click would turn a BrokenPipeError into exit 1); transactions roll back on it."""


def _closed(exc: OSError) -> bool:
    return isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE


class _Stdout:
    """sys.stdout, turning a write or flush into a closed pipe into StdoutClosed."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            if _closed(exc):
                raise StdoutClosed from None
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if _closed(exc):
                raise StdoutClosed from None
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null (what Python's documentation advises after EPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    os.close(devnull)


def _exit_code(code: Any) -> int:
    """The exit status sys.exit(code) gives; a text is printed, as Python does, and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _interrupted() -> int:
    try:
        print("Interrupted", file=sys.stderr, flush=True)
    except OSError:
        pass
    return INTERRUPTED


def failed(error: CctxError) -> int:
    """Write ``Error: <message>`` on stderr; the error's exit code."""
    sys.stderr.write(f"Error: {error}\n")
    sys.stderr.flush()
    return error.exit_code


def database_errors() -> tuple[type[Exception], ...]:
    """sqlite3.Error once sqlite3 is loaded, else nothing: only a command that imported sqlite3 can raise
    one, and --help, which needs no database, does not import it (5 ms)."""
    sqlite3 = sys.modules.get("sqlite3")
    return () if sqlite3 is None else (sqlite3.Error,)


def database_failure(exc: Exception, db_target: str | None) -> CctxError:
    """The database's own error as cctx reports it: busy or locked is Busy (exit 3), anything else exit 1."""
    text = str(exc)
    where = f"{db_target}: " if db_target else ""
    if "locked" in text or "busy" in text:
        return Busy(f"the database stayed locked by another process past the busy timeout ({where}{text})")
    return CctxError(f"database error ({where}{text})")


def run(body: Callable[[], int]) -> NoReturn:
    """Run ``body`` and exit with its code (or SystemExit's), or 130 when interrupted, or 141 when stdout
    closed. ``body`` raises KeyboardInterrupt for Ctrl-C, whoever caught it first."""
    original = sys.stdout
    sys.stdout = _Stdout(original)
    try:
        try:
            try:
                code = body()
            except SystemExit as exc:
                code = _exit_code(exc.code)
            sys.stdout.flush()
        except KeyboardInterrupt:
            code = _interrupted()
            sys.stdout.flush()
    except StdoutClosed:
        _silence_stdout()
        code = STDOUT_CLOSED
    except KeyboardInterrupt:  # a second Ctrl-C while ending
        code = INTERRUPTED
    finally:
        sys.stdout = original
    sys.exit(code)
