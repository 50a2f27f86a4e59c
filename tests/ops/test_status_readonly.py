"""``status`` reads a database it may not write (issue 14, "Lock and status").

A 0444 file, in a directory the reader cannot write either (a shared copy, a
read-only mount), used to fail with "attempt to write a readonly database".
Root ignores file modes, so under root the command runs as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from db.engine import make_engine
from db.harvest_state import finish_run, start_run
from db.migrate import upgrade

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534


def _as_reader() -> list[str]:
    """The command prefix that drops root's right to write anything (empty when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a database unwritable")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@pytest.fixture
def shared_dir():
    """A directory everybody can read (pytest's own temporary directories are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="ro-status-"))
    path.chmod(0o755)
    yield path
    path.chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


def _harvested_database(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    for topic in ("migraine", "pain", "depression"):
        run_id = start_run(engine, topic, "incremental", None, None)
        with engine.begin() as conn:
            finish_run(conn, run_id, "success", found=5, new=2)
    engine.dispose()


def _status(db: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "KETAMINE_TRACKER_"))}
    env["HOME"] = str(cwd)
    return subprocess.run([*_as_reader(), sys.executable, "-m", "ketamine_tracker.cli",
                           "--database-url", f"sqlite:///{db}", "status"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_status_reads_a_read_only_file_in_a_read_only_directory(shared_dir):
    db = shared_dir / "tracker.db"
    _harvested_database(db)
    db.chmod(0o444)
    shared_dir.chmod(0o555)
    proc = _status(db, shared_dir)
    assert (proc.returncode, proc.stdout.rstrip().splitlines()[-1]) == (0, "healthy"), proc.stderr


def test_status_reads_a_read_only_file_in_a_writable_directory(shared_dir):
    db = shared_dir / "tracker.db"
    _harvested_database(db)
    db.chmod(0o444)
    shared_dir.chmod(0o777)
    proc = _status(db, shared_dir)
    assert (proc.returncode, proc.stdout.rstrip().splitlines()[-1]) == (0, "healthy"), proc.stderr

