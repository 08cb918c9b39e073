"""The benchmark runner: figures go to the ignored bench/results/ unless recorded on purpose, and a missed
target fails the run with MISSED instead of ok."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    monkeypatch.syspath_prepend(str(BENCH))
    import common
    import run

    return common, run


def test_figures_go_to_the_ignored_results_unless_recorded(bench: tuple[ModuleType, ModuleType], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    common, _ = bench
    tracked, local = tmp_path / "RESULTS.md", tmp_path / "results" / "runs.md"
    tracked.write_text("# Results\n")
    monkeypatch.setattr(common, "RESULTS", tracked)
    monkeypatch.setattr(common, "LOCAL_RESULTS", local)
    monkeypatch.setattr(common, "ROOT", tmp_path)
    missed = common.below("cctx / sqlite-utils", 1.25, 1, "x")
    common.append_results("history show", "| figures |", [missed])
    assert tracked.read_text() == "# Results\n"  # untouched without --record
    assert "## history show" in local.read_text()
    assert "- target cctx / sqlite-utils: 1.25x (target below 1x): MISSED" in local.read_text()
    common.append_results("relink", "| more |", [common.at_most("ratio", 2.0, 2, "x")], record=True)
    assert tracked.read_text().count("## ") == 1 and "- target ratio: 2.00x (target within 2x): ok" in \
        tracked.read_text()
    assert local.read_text().count("## ") == 2


def test_a_missed_target_is_a_failure(bench: tuple[ModuleType, ModuleType], capsys: pytest.CaptureFixture[str]) -> None:
    common, run = bench
    assert run.MISSED_EXIT == common.MISSED_EXIT != 1  # 1 is what an exception exits with
    assert run.RECORD_ENV == common.RECORD_ENV
    assert common.verdict([common.below("a", 1, 2), common.below("b", 3, 2, " s")]) == common.MISSED_EXIT
    out = capsys.readouterr().out
    assert "- target a: 1.00 (target below 2): ok" in out and "- target b: 3.00 s (target below 2 s): MISSED" in out
    assert common.verdict([common.below("a", 1, 2)]) == 0
    assert [run.outcome(c) for c in (0, common.MISSED_EXIT, 1)] == ["ok", "MISSED", "FAILED (exit 1)"]


def test_the_runner_runs_every_benchmark_and_fails_on_a_missed_target(
    bench: tuple[ModuleType, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    common, run = bench
    fast = f"import os\nprint('record' if os.environ.get({common.RECORD_ENV!r}) == '1' else 'local')\n"
    (tmp_path / "bench_fast.py").write_text(fast)
    (tmp_path / "bench_slow.py").write_text(f"import sys\nsys.exit({common.MISSED_EXIT})\n")
    monkeypatch.setattr(run, "BENCH", tmp_path)
    assert run.main([]) == 1
    out, err = capfd.readouterr()
    assert "== bench_fast.py: ok" in out and "local" in out
    assert "== bench_slow.py: MISSED" in out and "not ok: bench_slow.py MISSED" in err
    assert run.main(["fast", "--record"]) == 0
    assert "record" in capfd.readouterr().out


def test_the_seeded_database_is_stamped_from_the_seed_code_that_exists(bench: tuple[ModuleType, ModuleType]) -> None:
    """The cached 1M database is rebuilt when the seed code changes: its stamp reads that code, so every file
    it names must be there (a moved module once failed every benchmark that reads the database)."""
    common, _ = bench
    assert all(source.is_file() for source in common.SEED_SOURCES)
    assert len(common.seed_stamp()) == 64
