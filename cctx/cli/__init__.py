"""The `cctx` executable. The root command and its groups are in cli/root.py; the three reads that scripts
run in loops take the fast path of cli/fast.py, which answers them without importing click."""

from __future__ import annotations


def main() -> None:
    """Run `cctx`: exit 130 on Ctrl-C and 141 when stdout's reader has gone (cli/exits.py)."""
    import os
    import sys

    from cctx.cli.exits import run
    from cctx.cli.fast import fast_read

    read = fast_read(sys.argv[1:], os.environ)
    if read is None:
        from cctx.cli.root import run_click

        run(run_click)
    run(read)
