"""``ketamine-tracker schedule``: a crontab line or a systemd user timer for the nightly run.

NCBI asks that large E-utilities jobs run on weekends or between 9 pm and 5 am
US Eastern time, so the default is 02:17 America/New_York (an odd minute, so a
lab's jobs do not all start on the hour). systemd timers honour the time zone
directly; cron runs in the machine's local time, so the crontab line is
converted to it and says so.

Secrets never go into the generated files: ``NCBI_API_KEY`` and a
``DATABASE_URL`` with a password belong in the environment file that the
service reads (``~/.config/ketamine-tracker/env``, mode 600).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import UsageError

UNIT = "ketamine-tracker"
NCBI_TZ = "America/New_York"
UNIT_FILE_MODE = 0o644  # what systemd expects of a unit file, whatever the umask


def register(sub) -> None:
    p = sub.add_parser("schedule", help="print a crontab line or write a systemd user timer for the nightly update")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--cron", action="store_true", help="print a crontab line")
    how.add_argument("--systemd", action="store_true", help="write a systemd user service + timer")
    p.add_argument("--dry-run", action="store_true", help="with --systemd: print the units instead of writing them")
    p.add_argument("--time", default="02:17", help=f"start time HH:MM in {NCBI_TZ} (default 02:17, outside US daytime)")
    p.add_argument("--log-file", default="data/logs/update.log", help="where the run's output is appended")
    p.add_argument("--workdir", default=".", help="working directory of the run (default: here)")
    p.add_argument("--unit-dir", default=None, help="where --systemd writes (default ~/.config/systemd/user)")
    p.set_defaults(func=run)


def _parse_time(value: str) -> tuple[int, int]:
    try:
        hour, minute = (int(x) for x in value.split(":"))
    except ValueError:
        raise UsageError(f"--time {value!r} is not HH:MM") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise UsageError(f"--time {value!r} is not a time of day")
    return hour, minute


def refuse_control_characters(values: dict[str, str]) -> None:
    """Refuse any value holding a newline or another control character.

    A newline in a path would end the line of a unit file or of the crontab
    and start a directive (or a cron job) of its own.

    Parameters
    ----------
    values : dict[str, str]
        What each value is (``--workdir``, ...) and the value.

    Raises
    ------
    UsageError
        A value holds a control character (Unicode category ``Cc``) or a line
        or paragraph separator; the message names the value and shows it escaped.
    """
    for name, value in values.items():
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value):
            raise UsageError(f"{name} {value!r} contains a newline or another control character; "
                             "nothing was written")


def write_unit(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0644, whatever the umask.

    Parameters
    ----------
    path : Path
        The unit file.
    text : str
        Its content.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, UNIT_FILE_MODE)
    try:
        os.fchmod(fd, UNIT_FILE_MODE)  # os.open's mode is filtered by the umask
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            fd = -1
            f.write(text)
    finally:
        if fd >= 0:
            os.close(fd)
    os.replace(tmp, path)


def _executable() -> str:
    """The console script of this installation (the venv's, not a symlink target)."""
    beside = Path(sys.executable).absolute().parent / "ketamine-tracker"
    if beside.exists():
        return str(beside)
    exe = shutil.which("ketamine-tracker")
    if exe:
        return str(Path(exe).absolute())
    return f"{Path(sys.executable).absolute()} -m ketamine_tracker.cli"


def cron_line(hour: int, minute: int, workdir: Path, log_file: Path, exe: str, local_tz=None, on: date | None = None) -> str:
    """A crontab line running ``update`` at ``hour:minute`` New York time, expressed in local time
    (as the offset stands ``on`` that date, default today: cron has no time zones)."""
    on = on or datetime.now(ZoneInfo(NCBI_TZ)).date()
    ny = datetime(on.year, on.month, on.day, hour, minute, tzinfo=ZoneInfo(NCBI_TZ))
    local = ny.astimezone(local_tz)
    env_file = Path.home() / ".config" / "ketamine-tracker" / "env"
    cmd = (
        f"cd {shlex.quote(str(workdir))} && "
        f"{{ [ ! -f {shlex.quote(str(env_file))} ] || {{ set -a; . {shlex.quote(str(env_file))}; set +a; }}; }}; "
        f"mkdir -p {shlex.quote(str(log_file.parent))} && "
        f"{exe} update >> {shlex.quote(str(log_file))} 2>&1"
    )
    return (
        f"# ketamine-tracker nightly update: {hour:02d}:{minute:02d} {NCBI_TZ} = "
        f"{local:%H:%M} local time ({local.tzname()}); secrets in {env_file}\n"
        f"{local.minute} {local.hour} * * * {cmd}"
    )


def systemd_units(hour: int, minute: int, workdir: Path, log_file: Path, exe: str) -> dict[str, str]:
    """``{"ketamine-tracker.service": ..., "ketamine-tracker.timer": ...}``."""
    service = f"""[Unit]
Description=ketamine-tracker nightly PubMed harvest and extraction
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
# NCBI_API_KEY, NCBI_EMAIL and DATABASE_URL (if it holds a password) go here, mode 600:
EnvironmentFile=-%h/.config/ketamine-tracker/env
ExecStartPre=/bin/mkdir -p {log_file.parent}
ExecStart={exe} update
StandardOutput=append:{log_file}
StandardError=append:{log_file}
Nice=10
"""
    timer = f"""[Unit]
Description=Run ketamine-tracker update nightly outside US daytime (NCBI policy)

[Timer]
OnCalendar=*-*-* {hour:02d}:{minute:02d}:00 {NCBI_TZ}
RandomizedDelaySec=10min
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def run(args, settings) -> int:
    refuse_control_characters({"--time": args.time, "--workdir": args.workdir, "--log-file": args.log_file,
                               "--unit-dir": args.unit_dir or ""})
    hour, minute = _parse_time(args.time)
    workdir = Path(args.workdir).resolve()
    log_file = Path(args.log_file)
    if not log_file.is_absolute():
        log_file = workdir / log_file
    exe = _executable()
    # the resolved paths too: the current directory or the executable's path may hold a newline
    refuse_control_characters({"--workdir": str(workdir), "--log-file": str(log_file),
                               "the ketamine-tracker executable": exe})
    if args.cron:
        print(cron_line(hour, minute, workdir, log_file, exe))
        return 0
    units = systemd_units(hour, minute, workdir, log_file, exe)
    if args.dry_run:
        for name, text in units.items():
            print(f"# --- {name}\n{text}")
        return 0
    unit_dir = Path(args.unit_dir or Path.home() / ".config" / "systemd" / "user")
    unit_dir.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        write_unit(unit_dir / name, text)
        print(f"wrote {unit_dir / name}")
    print(f"enable with: systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer")
    print(f"(run `loginctl enable-linger {os.environ.get('USER', '$USER')}` so it runs while you are logged out)")
    return 0
