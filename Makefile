# The two commands of the README bootstrap their own virtual environment on
# first use, so a machine with only python3 (>= 3.11) and make is enough.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test dashboard bench demo clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: harvest PubMed and extract study facts into ./data/tracker.db
run: $(STAMP)
	$(BIN)/ketamine-tracker update

## make test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make dashboard: the Streamlit evidence map on the configured database
dashboard: $(STAMP)
	$(BIN)/ketamine-tracker dashboard

## make demo: the nightly job offline against a local fake PubMed, into ./data/demo.db
demo: $(STAMP)
	$(BIN)/ketamine-tracker demo

## make bench: every benchmark in bench/, figures printed
bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
