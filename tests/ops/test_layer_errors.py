"""Each layer raises its own exceptions; the command line maps them to exit codes (issue 14)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from db.errors import DatabaseConfigError, DbError, LockedError
from harvester.errors import EutilsError, EutilsUnreachable, HarvesterError, InputRejected, TopicsError
from ketamine_tracker.errors import HarvestFailed, UsageError, exit_code
from ketamine_tracker.progress import ProgressCallback
from nlp.errors import ExtractionWorkersError, NlpError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("exc, code", [
    (TopicsError("bad topics file"), 2),
    (DatabaseConfigError("bad URL"), 2),
    (LockedError("busy"), 75),
    (InputRejected("x.xml: PMID '0' is not 1..2**63-1"), 2),
    (EutilsError("503 after 6 tries"), 1),
    (EutilsUnreachable("no network", "dns", "DNS failure"), 1),
    (HarvesterError("other"), 1),
    (DbError("other"), 1),
    (ExtractionWorkersError("workers died"), 1),
    (NlpError("other"), 1),
    (UsageError("bad flag"), 2),
    (HarvestFailed("2 of 3 topics failed", 2, 3), 1),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v))
def test_exit_code_of_each_layer_error(exc, code):
    assert exit_code(exc) == code


def test_a_layer_error_reaches_the_user_as_one_line_and_exit_2(tmp_path, capsys):
    from ketamine_tracker.cli import main

    bad = tmp_path / "topics.toml"
    bad.write_text("[topics.pain\n", encoding="utf-8")
    code = main(["--database-url", f"sqlite:///{tmp_path / 't.db'}", "--topics", str(bad), "harvest"])
    err = capsys.readouterr().err
    assert (code, len(err.strip().splitlines())) == (2, 1) and "is not valid TOML" in err


def test_every_topic_failing_is_told_apart_from_some():
    assert HarvestFailed("x", 3, 3).every_topic and not HarvestFailed("x", 1, 3).every_topic


def test_progress_callback_moves_its_bar_to_the_reported_count():
    with ProgressCallback("extract", "articles", interactive=False) as on_progress:
        for done in (0, 40, 130):
            on_progress(done, 130)
    assert (on_progress.progress.total, on_progress.progress.done) == (130, 130)


def test_progress_callback_logs_one_line_per_step_off_a_terminal(caplog):
    with caplog.at_level(logging.INFO, logger="ketamine_tracker"):
        with ProgressCallback("extract", "articles", interactive=False) as on_progress:
            for done in (0, 40, 130):
                on_progress(done, 130)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("extract:")] == [
        "extract: 40/130 articles (31%)", "extract: 130/130 articles (100%)"]


def _import_without(missing: str, module: str) -> subprocess.CompletedProcess:
    """Import ``module`` in a fresh interpreter where ``missing`` cannot be imported (as if its file were gone)."""
    code = f"import sys; sys.modules[{missing!r}] = None; import {module}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_update_cannot_be_imported_without_extract():
    """A missing module fails loudly: there is no longer an update that skips extraction with a warning."""
    proc = _import_without("ketamine_tracker.commands.extract", "ketamine_tracker.commands.update")
    assert proc.returncode == 1 and "ketamine_tracker.commands.extract" in proc.stderr.splitlines()[-1]


def test_the_cli_cannot_be_imported_without_a_command_module():
    proc = _import_without("ketamine_tracker.commands.status", "ketamine_tracker.cli")
    assert proc.returncode == 1 and "ketamine_tracker.commands.status" in proc.stderr.splitlines()[-1]
