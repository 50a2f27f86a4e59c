"""The ``ketamine-tracker`` command line.

Each subcommand lives in :mod:`ketamine_tracker.commands` as a module with a
``register(subparsers)`` function that adds its parser and sets ``func``
(``func(args, settings) -> int``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import TrackerError
from .logs import mask, register_secret, setup_logging
from .settings import Settings

log = logging.getLogger("ketamine_tracker")

COMMAND_MODULES = [
    "update",
    "harvest",
    "ingest",
    "extract",
    "export",
    "evaluate",
    "dbcmd",
    "dashboard",
    "status",
    "schedule",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketamine-tracker",
        description="Harvest PubMed on ketamine for migraine, pain and depression; extract study facts; explore them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--database-url", help="database URL (env DATABASE_URL; default sqlite:///data/tracker.db)")
    parser.add_argument("--eutils-url", help="E-utilities base URL (env NCBI_EUTILS_URL)")
    parser.add_argument("--api-key", help="NCBI API key (env NCBI_API_KEY; prefer the variable: flags show in `ps`)")
    parser.add_argument("--email", help="contact e-mail sent to NCBI (env NCBI_EMAIL)")
    parser.add_argument("--tool", help="tool name sent to NCBI (env NCBI_TOOL)")
    parser.add_argument("--topics", dest="topics_file", help="topics TOML file (env KETAMINE_TRACKER_TOPICS)")
    parser.add_argument("--log-format", choices=["text", "json"], default="text", help="log line format")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"ketamine_tracker.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ketamine_tracker.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    setup_logging(args.log_format, level)
    settings = Settings.from_env().with_overrides(
        database_url=args.database_url,
        eutils_url=args.eutils_url,
        api_key=args.api_key,
        email=args.email,
        tool=args.tool,
        topics_file=args.topics_file,
    )
    register_secret(settings.api_key)
    try:
        from sqlalchemy.engine import make_url

        register_secret(make_url(settings.database_url).password)
    except Exception:  # noqa: BLE001 - a bad URL is reported by the command that uses it
        pass
    try:
        return int(args.func(args, settings) or 0)
    except TrackerError as exc:
        if args.log_format == "json":
            log.error("%s", exc, extra={"exit_code": exc.exit_code})
        else:
            print(f"ketamine-tracker: error: {mask(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ketamine-tracker: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
