"""``ketamine-tracker digest`` through the command line, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from db.models import HarvestRun
from ketamine_tracker.cli import main


def _digest(url, *args):
    return main(["--database-url", url, "digest", *args])


def test_digest_since_7d_writes_markdown_and_html(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    code = _digest(url, "--since", "7d", "--out", str(tmp_path / "d"))
    assert (code, sorted(p.name for p in (tmp_path / "d").iterdir())) == (0, ["digest.html", "digest.md"])


def test_digest_reports_its_counts_on_stderr(migrated_news_db, tmp_path, capsys):
    url, _ = migrated_news_db
    _digest(url, "--since", "7d", "--out", str(tmp_path))
    assert capsys.readouterr().err.startswith("digest: 4 new, 1 revised, 1 newly retracted -> ")


def test_digest_of_a_topic_lists_only_its_studies(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    _digest(url, "--since", "7d", "--topic", "pain", "--out", str(tmp_path))
    assert "PMID 101" not in (tmp_path / "digest.md").read_text()


def test_a_bad_since_is_one_line_exit_2_and_nothing_written(migrated_news_db, tmp_path, capsys):
    url, _ = migrated_news_db
    code = _digest(url, "--since", "last week", "--out", str(tmp_path / "d"))
    err = capsys.readouterr().err
    assert (code, err.count("\n"), "--since 'last week'" in err, (tmp_path / "d").exists()) == (2, 1, True, False)


def test_an_until_before_since_is_exit_2(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    code = _digest(url, "--since", "2026-01-10", "--until", "2026-01-01", "--out", str(tmp_path / "d"))
    assert (code, (tmp_path / "d").exists()) == (2, False)


def test_an_unknown_topic_is_exit_2(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    code = _digest(url, "--topic", "acne", "--out", str(tmp_path / "d"))
    assert (code, (tmp_path / "d").exists()) == (2, False)


def test_since_last_harvest_without_a_finished_harvest_is_exit_2(migrated_news_db, tmp_path):
    url, _ = migrated_news_db
    code = _digest(url, "--since", "last-harvest", "--out", str(tmp_path / "d"))
    assert (code, (tmp_path / "d").exists()) == (2, False)


def test_since_last_harvest_lists_what_the_last_update_stored(migrated_news_db, tmp_path):
    url, db = migrated_news_db
    with Session(db.engine) as s:
        start = db.now - timedelta(hours=6)
        s.add(HarvestRun(topic="migraine", kind="incremental", started=start, finished=start + timedelta(minutes=1),
                         status="success"))
        s.commit()
    _digest(url, "--since", "last-harvest", "--out", str(tmp_path))
    text = (tmp_path / "digest.md").read_text()
    assert "## New studies (1)" in text and "PMID 108" in text
