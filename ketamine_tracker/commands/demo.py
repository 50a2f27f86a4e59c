"""``ketamine-tracker demo``: the whole nightly job offline, against a local fake PubMed.

Starts :class:`ketamine_tracker.demo_server.DemoPubMed` on 127.0.0.1 with a
generated corpus spread over the configured topics, then runs ``update`` against it into
a separate database (default ``sqlite:///data/demo.db``), so a new user can see
a real run, the status table and the dashboard without NCBI access and without
mixing demo records into the real database.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from ..errors import UsageError


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the nightly job offline against a local fake PubMed (generated articles)")
    p.add_argument("--articles", type=int, default=1500, help="generated articles in the fake PubMed (default 1500)")
    p.add_argument("--demo-database", default="sqlite:///data/demo.db", help="where the demo run writes")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args, settings) -> int:
    from harvester.topics import load_topics

    from ..cli import main
    from ..demo_server import DemoPubMed, demo_articles

    from db.engine import DatabaseConfigError, normalise_url

    if args.articles < 1:
        raise UsageError("--articles must be at least 1")
    try:
        normalise_url(args.demo_database)
    except DatabaseConfigError:
        raise UsageError(f"--demo-database {args.demo_database!r} is not a database URL "
                         "(expected sqlite:///path/to/file.db or postgresql://user@host/dbname)") from None
    topics = load_topics(settings.topics_file)
    corpus = demo_articles(list(topics), args.articles, seed=args.seed)
    with DemoPubMed({n: t.query for n, t in topics.items()}, corpus, seed=args.seed) as server:
        print(f"fake PubMed with {len(corpus)} generated articles on {server.url}")
        argv = ["--database-url", args.demo_database, "--eutils-url", server.url, "--log-format", args.log_format]
        if settings.topics_file:
            argv += ["--topics", settings.topics_file]
        code = main(argv + ["update"])
    if code == 0:
        status, dashboard = look_at_it(args.demo_database)
        print(f"\ndemo database: {args.demo_database}")
        print(f"look at it:    {status}")
        print(f"               {dashboard}")
    return code


def _console_script(cwd: Path) -> str:
    """How to call this installation's ``ketamine-tracker`` from ``cwd``: the bare name when it is
    the one on PATH, else its path (relative when it lies under ``cwd``, as ``.venv/bin/...`` in a clone)."""
    beside = Path(sys.executable).absolute().parent / "ketamine-tracker"
    if not beside.exists():
        return f"{shlex.quote(str(Path(sys.executable).absolute()))} -m ketamine_tracker.cli"
    on_path = shutil.which("ketamine-tracker")
    if on_path and Path(on_path).absolute() == beside:
        return "ketamine-tracker"
    try:
        return shlex.quote(str(beside.relative_to(cwd.absolute())))
    except ValueError:
        return shlex.quote(str(beside))


def look_at_it(database_url: str, cwd: Path | None = None) -> tuple[str, str]:
    """The commands that show the demo database, as they work from ``cwd``.

    Parameters
    ----------
    database_url : str
        The demo database.
    cwd : Path, optional
        Where the user stands (default: the current directory).

    Returns
    -------
    tuple[str, str]
        The ``status`` command and the dashboard command: ``make dashboard
        DATABASE_URL=...`` in a clone (a Makefile with a ``dashboard`` target
        here), else the console script with ``--database-url``.
    """
    cwd = cwd or Path.cwd()
    url = shlex.quote(database_url)
    exe = _console_script(cwd)
    status = f"{exe} --database-url {url} status"
    makefile = cwd / "Makefile"
    if makefile.is_file() and "\ndashboard:" in makefile.read_text(encoding="utf-8", errors="replace"):
        return status, f"make dashboard DATABASE_URL={url}"
    return status, f"{exe} --database-url {url} dashboard"
