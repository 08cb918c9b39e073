"""Shell completion (click's _CCTX_COMPLETE) completes commands, channel and status names."""

from __future__ import annotations

from click.testing import CliRunner

from cctx.cli.root import cli


def _complete(words: str) -> list[str]:
    env = {"_CCTX_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    if words.endswith(" "):
        env["COMP_CWORD"] = str(len(words.split()))
    result = CliRunner().invoke(cli, [], prog_name="cctx", env=env)
    return [line.split(",", 1)[1] for line in result.output.splitlines()]


def test_completes_commands() -> None:
    assert _complete("cctx hist") == ["history"]
    assert "merge" in _complete("cctx conversation ")


def test_completes_channels_and_statuses() -> None:
    assert _complete("cctx history show 1 --channel wh") == ["whatsapp"]
    assert set(_complete("cctx history show 1 --channel instagram")) == {"instagram", "instagram_posts"}
    assert _complete("cctx history show 1 --status ") == ["open", "waiting", "solved", "closed"]


def test_prints_the_bash_script() -> None:
    result = CliRunner().invoke(cli, [], prog_name="cctx", env={"_CCTX_COMPLETE": "bash_source"})
    assert "_cctx_completion" in result.output
