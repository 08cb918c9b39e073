"""How the process ends when the person or the pipe stops it.

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
from typing import Any, NoReturn, TextIO

import click

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


def run(command: click.Command, prog_name: str) -> NoReturn:
    """Run the root command and exit with its code, or 130 when interrupted, or 141 when stdout closed."""
    original = sys.stdout
    sys.stdout = _Stdout(original)
    try:
        try:
            try:
                result = command.main(prog_name=prog_name, standalone_mode=False)
                code = result if isinstance(result, int) and not isinstance(result, bool) else 0
            except SystemExit as exc:
                code = _exit_code(exc.code)
            except click.ClickException as exc:
                exc.show()
                code = exc.exit_code
            sys.stdout.flush()
        except (KeyboardInterrupt, click.Abort):
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
