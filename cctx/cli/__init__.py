"""The `cctx` executable. The root command and its groups are in cli/root.py; --help and the three reads
that scripts run in loops take the fast path of cli/fast.py, which answers them without importing click."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """Run `cctx` with ``argv`` (default: the process's arguments), and exit: 130 on Ctrl-C and 141 when
    stdout's reader has gone (cli/exits.py)."""
    import os
    import sys
    from functools import partial

    from cctx.cli.exits import run
    from cctx.cli.fast import fast_help, fast_read

    args = sys.argv[1:] if argv is None else argv
    read = fast_read(args, os.environ) or fast_help(args, os.environ)
    if read is None:
        from cctx.cli.root import run_click

        run(partial(run_click, args))
    run(read)
