"""Feeds and digest written by the nightly ``update`` (ketamine_tracker.outputs.nightly)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

import pytest

from ketamine_tracker.cli import main
from ketamine_tracker.errors import UsageError
from ketamine_tracker.outputs.nightly import add_output_options, output_plan, write_outputs
from ketamine_tracker.outputs.since import LAST_HARVEST

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
TOPICS = {"migraine": "Migraine", "pain": "Pain", "depression": "Depression"}


def _args(*argv):
    parser = argparse.ArgumentParser()
    add_output_options(parser)
    return parser.parse_args(list(argv))


def test_without_flags_or_variables_nothing_is_planned():
    plan = output_plan(_args(), env={}, now=NOW)
    assert (plan["feeds_dir"], plan["digest_dir"], plan["digest_since"]) == (None, None, None)


def test_variables_ask_for_both_outputs():
    env = {"KETAMINE_TRACKER_FEEDS_DIR": "/srv/feeds", "KETAMINE_TRACKER_DIGEST_DIR": "/srv/digest"}
    plan = output_plan(_args(), env=env, now=NOW)
    assert (plan["feeds_dir"], plan["digest_dir"]) == ("/srv/feeds", "/srv/digest")


def test_a_flag_wins_over_its_variable():
    plan = output_plan(_args("--feeds-dir", "here"), env={"KETAMINE_TRACKER_FEEDS_DIR": "there"}, now=NOW)
    assert plan["feeds_dir"] == "here"


def test_the_digest_covers_seven_days_by_default():
    plan = output_plan(_args("--digest-dir", "d"), env={}, now=NOW)
    assert plan["digest_since"] == NOW - timedelta(days=7)


def test_the_digest_can_cover_what_this_update_stored():
    plan = output_plan(_args("--digest-dir", "d", "--digest-since", "last-harvest"), env={}, now=NOW)
    assert plan["digest_since"] == LAST_HARVEST


def test_a_bad_digest_window_is_refused_before_anything_runs():
    with pytest.raises(UsageError, match="--since 'fortnight'"):
        output_plan(_args("--digest-dir", "d", "--digest-since", "fortnight"), env={}, now=NOW)


def test_write_outputs_writes_the_feeds_and_the_digest(sqlite_news_db, tmp_path):
    out = tmp_path / "out"
    plan = output_plan(_args("--feeds-dir", str(out / "f"), "--digest-dir", str(out / "d")), env={})
    write_outputs(sqlite_news_db.engine, plan, TOPICS)
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["d/digest.html", "d/digest.md", "f/all.atom", "f/depression.atom", "f/migraine.atom",
                       "f/pain.atom"]


def test_a_last_harvest_digest_is_skipped_when_no_harvest_finished(sqlite_news_db, tmp_path):
    plan = output_plan(_args("--digest-dir", str(tmp_path / "d"), "--digest-since", "last-harvest"), env={})
    write_outputs(sqlite_news_db.engine, plan, TOPICS)
    assert not (tmp_path / "d").exists()


def test_update_with_a_bad_digest_window_exits_2_before_touching_the_database(tmp_path):
    db = tmp_path / "tracker.db"
    code = main(["--database-url", f"sqlite:///{db}", "update", "--digest-dir", str(tmp_path / "d"),
                 "--digest-since", "fortnight"])
    assert (code, db.exists(), (tmp_path / "d").exists()) == (2, False, False)
