PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := demo.db

.PHONY: venv demo test stress lint docs bench bench-record clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/cctx --db $(DEMO_DB) db init
	$(BIN)/cctx --db $(DEMO_DB) db import fixtures/demo.yaml
	CCTX_NOW=2026-11-25T12:00:00Z $(BIN)/cctx --db $(DEMO_DB) customer show 1
	CCTX_NOW=2026-11-25T12:00:00Z $(BIN)/cctx --db $(DEMO_DB) history show 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/cog --check --check-fail-msg "run make docs" docs/cli.md cctx/cli/help_pages.py
	$(BIN)/python -m pytest -m "not stress" -n auto

# docs/cli.md, the command reference, and cctx/cli/help_pages.py, regenerated from every command's --help
# (make test checks both).
docs: $(STAMP)
	$(BIN)/cog -r docs/cli.md cctx/cli/help_pages.py

stress: $(STAMP)
	$(BIN)/python -m pytest -m stress

# Figures go to bench/results/runs.md (ignored by git); a missed target fails the run (MISSED).
bench: $(STAMP)
	$(BIN)/python bench/run.py

# The same, and the figures recorded in the tracked bench/RESULTS.md.
bench-record: $(STAMP)
	$(BIN)/python bench/run.py --record

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .ruff_cache
