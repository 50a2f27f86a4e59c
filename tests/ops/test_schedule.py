import os
import stat
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ketamine_tracker.cli import main
from ketamine_tracker.commands.schedule import cron_line


def test_cron_line_converts_new_york_time_to_local_time():
    line = cron_line(2, 17, Path("/srv/kt"), Path("/srv/kt/data/logs/update.log"), "/venv/bin/ketamine-tracker",
                     local_tz=ZoneInfo("Europe/Berlin"), on=date(2026, 1, 15))
    fields = line.splitlines()[1].split()
    assert fields[0] == "17"
    assert fields[1] == "8"  # 02:17 EST (UTC-5) is 08:17 CET (UTC+1) in January
    assert fields[2:5] == ["*", "*", "*"]


def test_cron_line_runs_update_and_appends_to_the_log():
    line = cron_line(2, 17, Path("/srv/kt"), Path("/srv/kt/data/logs/update.log"), "/venv/bin/ketamine-tracker")
    assert "cd /srv/kt && " in line
    assert "/venv/bin/ketamine-tracker update >> /srv/kt/data/logs/update.log 2>&1" in line


def test_systemd_dry_run_prints_service_and_timer(capsys, tmp_path):
    assert main(["schedule", "--systemd", "--dry-run", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "# --- ketamine-tracker.service" in out
    assert "OnCalendar=*-*-* 02:17:00 America/New_York" in out
    assert f"WorkingDirectory={tmp_path}" in out
    assert not list(tmp_path.iterdir())


def test_systemd_writes_units(capsys, tmp_path):
    unit_dir = tmp_path / "units"
    assert main(["schedule", "--systemd", "--unit-dir", str(unit_dir), "--time", "23:05"]) == 0
    assert sorted(p.name for p in unit_dir.iterdir()) == ["ketamine-tracker.service", "ketamine-tracker.timer"]
    assert "OnCalendar=*-*-* 23:05:00 America/New_York" in (unit_dir / "ketamine-tracker.timer").read_text()


def test_secrets_are_never_written(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key-123456")
    assert main(["schedule", "--systemd", "--dry-run", "--workdir", str(tmp_path)]) == 0
    assert main(["schedule", "--cron", "--workdir", str(tmp_path)]) == 0
    assert "secret-key-123456" not in capsys.readouterr().out


def test_bad_time_is_a_usage_error(capsys):
    assert main(["schedule", "--cron", "--time", "25:00"]) == 2
    assert "--time '25:00' is not a time of day" in capsys.readouterr().err


@pytest.fixture
def umask():
    """``umask(mask)``: set the process umask for the test, restored afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield os.umask
    os.umask(saved)


@pytest.mark.parametrize("mask", [0o077, 0o000], ids=["umask-077", "umask-000"])
def test_systemd_units_are_written_0644_whatever_the_umask(capsys, tmp_path, umask, mask):
    umask(mask)
    assert main(["schedule", "--systemd", "--unit-dir", str(tmp_path), "--workdir", str(tmp_path)]) == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("ketamine-tracker.*")}
    assert modes == {"ketamine-tracker.service": 0o644, "ketamine-tracker.timer": 0o644}


@pytest.mark.parametrize("option", ["--workdir", "--log-file", "--unit-dir", "--time"])
def test_a_newline_in_any_value_exits_2(capsys, tmp_path, option):
    args = {"--workdir": str(tmp_path), "--unit-dir": str(tmp_path / "units"), "--time": "02:17"}
    args[option] = f"{args.get(option, 'x.log')}\nExecStartPre=/bin/sh -c id"
    argv = ["schedule", "--systemd", *(x for kv in args.items() for x in kv)]
    assert main(argv) == 2


@pytest.mark.parametrize("option", ["--workdir", "--log-file", "--unit-dir", "--time"])
def test_a_newline_in_any_value_is_one_line_on_stderr(capsys, tmp_path, option):
    args = {"--workdir": str(tmp_path), "--unit-dir": str(tmp_path / "units"), "--time": "02:17"}
    args[option] = f"{args.get(option, 'x.log')}\nExecStartPre=/bin/sh -c id"
    main(["schedule", "--systemd", *(x for kv in args.items() for x in kv)])
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and option in err


def test_a_newline_in_a_value_writes_nothing(capsys, tmp_path):
    units = tmp_path / "units"
    main(["schedule", "--systemd", "--unit-dir", str(units), "--log-file", "a.log\n[Install]"])
    assert not units.exists()


def test_a_newline_in_the_workdir_is_refused_for_cron_too(capsys, tmp_path):
    assert main(["schedule", "--cron", "--workdir", f"{tmp_path}\n* * * * * id"]) == 2
    assert capsys.readouterr().out == ""
