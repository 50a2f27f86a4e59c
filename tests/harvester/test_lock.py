"""The run lock: one run at a time on SQLite files, PostgreSQL and in-memory databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


from db.engine import make_engine
from db.lock import lock_path, run_lock
from db.errors import LockedError
from ketamine_tracker.errors import exit_code

HOLD = """
import sys, time
from db.engine import make_engine
from db.lock import run_lock
with run_lock(make_engine(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _in_other_thread(engine) -> BaseException | None:
    caught: list[BaseException] = []

    def attempt():
        try:
            with run_lock(engine):
                pass
        except BaseException as exc:  # noqa: BLE001
            caught.append(exc)

    t = threading.Thread(target=attempt)
    t.start()
    t.join()
    return caught[0] if caught else None


def test_second_holder_is_refused(db_url):
    engine = make_engine(db_url)
    with run_lock(engine):
        err = _in_other_thread(engine)
    assert isinstance(err, LockedError) and exit_code(err) == 75
    engine.dispose()


def test_refusal_message_says_a_run_is_in_progress(db_url):
    engine = make_engine(db_url)
    with run_lock(engine):
        err = _in_other_thread(engine)
    assert "another ketamine-tracker run is in progress" in str(err)
    engine.dispose()


def test_lock_is_free_again_after_release(db_url):
    engine = make_engine(db_url)
    with run_lock(engine):
        pass
    assert _in_other_thread(engine) is None
    engine.dispose()


def test_lock_is_reentrant_in_the_same_thread(db_url):
    engine = make_engine(db_url)
    with run_lock(engine):
        with run_lock(engine):
            inner_ok = True
        err = _in_other_thread(engine)  # still held by the outer block
    assert inner_ok and isinstance(err, LockedError)
    engine.dispose()


def test_in_memory_database_has_a_process_local_lock():
    engine = make_engine("sqlite://")
    with run_lock(engine):
        err = _in_other_thread(engine)
    assert isinstance(err, LockedError)


def test_sqlite_lock_file_sits_next_to_the_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert lock_path(engine) == tmp_path / "x.db.lock"


def test_lock_of_a_killed_holder_is_released(db_url, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db_url], stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).resolve().parents[2]))
    try:
        assert holder.stdout.readline().strip() == "held"
        engine = make_engine(db_url)
        held = _in_other_thread(engine)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while (err := _in_other_thread(engine)) is not None and time.monotonic() < deadline:
            time.sleep(0.1)  # PostgreSQL notices the dead connection shortly
    finally:
        if holder.poll() is None:
            holder.kill()
    assert isinstance(held, LockedError) and err is None
    engine.dispose()


def _hold_in_child(url: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).resolve().parents[2]))
    assert holder.stdout.readline().strip() == "held"
    return holder


def _stop(holder: subprocess.Popen) -> None:
    holder.kill()
    holder.wait(timeout=10)


def test_writer_through_a_symlinked_file_is_refused_while_the_real_path_is_held(tmp_path):
    real = tmp_path / "tracker.db"
    make_engine(f"sqlite:///{real}").dispose()
    (tmp_path / "link.db").symlink_to(real)
    holder = _hold_in_child(f"sqlite:///{real}")
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'link.db'}")
        err = _in_other_thread(engine)
    finally:
        _stop(holder)
    assert isinstance(err, LockedError)
    engine.dispose()


def test_writer_through_a_symlinked_directory_is_refused_while_the_real_path_is_held(tmp_path):
    (tmp_path / "data").mkdir()
    make_engine(f"sqlite:///{tmp_path / 'data' / 'tracker.db'}").dispose()
    (tmp_path / "alias").symlink_to(tmp_path / "data", target_is_directory=True)
    holder = _hold_in_child(f"sqlite:///{tmp_path / 'alias' / 'tracker.db'}")
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'tracker.db'}")
        err = _in_other_thread(engine)
    finally:
        _stop(holder)
    assert isinstance(err, LockedError)
    engine.dispose()


def test_lock_file_of_a_symlink_sits_next_to_the_real_database(tmp_path):
    (tmp_path / "real.db").touch()
    (tmp_path / "link.db").symlink_to(tmp_path / "real.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'link.db'}")
    assert lock_path(engine) == Path(os.path.realpath(tmp_path)) / "real.db.lock"
