"""The ``ketamine-tracker`` command line.

Each subcommand lives in :mod:`ketamine_tracker.commands` as a module with a
``register(subparsers)`` function that adds its parser and sets ``func``
(``func(args, settings) -> int``).
"""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy.exc import SQLAlchemyError

from harvester.eutils import url_secrets

from . import __version__
from .commands import (
    dashboard, dbcmd, demo, digest, evaluate, export, extract, feeds, harvest, ingest, schedule, status, update,
)
from .errors import EXIT_LOCKED, EXIT_OK, REPORTED_ERRORS, exit_code
from .logs import mask, register_secret, setup_logging
from .settings import Settings

log = logging.getLogger("ketamine_tracker")

#: The subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = [update, harvest, ingest, extract, export, digest, feeds, evaluate, dbcmd, dashboard, status, schedule, demo]


# Commands whose failure is worth waking someone for (the nightly job).
NOTIFY_COMMANDS = ("update", "harvest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketamine-tracker",
        description="Harvest PubMed on ketamine for migraine, pain and depression; extract study facts; explore them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    # The global options are accepted after the subcommand too
    # (`ketamine-tracker harvest --database-url ...`); SUPPRESS keeps a
    # subcommand from resetting a value given before it.
    for subparser in _leaf_parsers(sub):
        _add_global_options(subparser, default=argparse.SUPPRESS)
    return parser


def _leaf_parsers(sub):
    for subparser in sub.choices.values():
        nested = [a for a in subparser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            yield from _leaf_parsers(nested[0])
        else:
            yield subparser


def _add_global_options(parser: argparse.ArgumentParser, default) -> None:
    g = parser.add_argument_group("global options")
    g.add_argument("--database-url", default=default, help="database URL (env DATABASE_URL; default sqlite:///data/tracker.db)")
    g.add_argument("--eutils-url", default=default, help="E-utilities base URL (env NCBI_EUTILS_URL)")
    g.add_argument("--api-key", default=default, help="NCBI API key (env NCBI_API_KEY; prefer the variable: flags show in `ps`)")
    g.add_argument("--email", default=default, help="contact e-mail sent to NCBI (env NCBI_EMAIL)")
    g.add_argument("--tool", default=default, help="tool name sent to NCBI (env NCBI_TOOL)")
    g.add_argument("--topics", dest="topics_file", default=default, help="topics TOML file (env KETAMINE_TRACKER_TOPICS)")
    g.add_argument("--webhook-url", default=default, help="POST a JSON summary here when update/harvest fails (env KETAMINE_TRACKER_WEBHOOK)")
    g.add_argument("--log-format", choices=["text", "json"], default="text" if default is None else default, help="log line format")
    g.add_argument("-v", "--verbose", action="store_true", default=False if default is None else default, help="debug logging")
    g.add_argument("-q", "--quiet", action="store_true", default=False if default is None else default, help="warnings and errors only")


def _report_error(args, message: str, code: int) -> None:
    """One error line: a JSON log record with ``--log-format json``, else plain stderr."""
    if args.log_format == "json":
        log.error("%s", message, extra={"exit_code": code})
    else:
        print(f"ketamine-tracker: error: {mask(message)}", file=sys.stderr)


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
        webhook_url=args.webhook_url,
    )
    register_secret(settings.api_key)
    register_secret(settings.webhook_url)
    for secret in url_secrets(settings.eutils_url):  # http://user:password@proxy/...
        register_secret(secret)
    try:
        from sqlalchemy.engine import make_url

        register_secret(make_url(settings.database_url).password)
    except Exception:  # noqa: BLE001 - a bad URL is reported by the command that uses it
        pass
    error: str | None = None
    try:
        code = int(args.func(args, settings) or 0)
    except REPORTED_ERRORS as exc:  # the CLI's own errors and every layer's (harvester, db, nlp)
        code, error = exit_code(exc), str(exc)
        _report_error(args, error, code)
    except KeyboardInterrupt:
        print("ketamine-tracker: interrupted", file=sys.stderr)
        code, error = 130, "interrupted"
    except SQLAlchemyError as exc:
        # Any command: a database that fails mid-run (disk full, server gone)
        # gives one clear line and exit 1, not a traceback. Each batch is its
        # own transaction, so what was committed before stays consistent.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        log.debug("database error", exc_info=True)
        code, error = 1, f"database error: {reason}"
        _report_error(args, error, code)
    if code not in (EXIT_OK, EXIT_LOCKED) and args.command in NOTIFY_COMMANDS and settings.webhook_url:
        from .notify import failure_payload, post_webhook

        post_webhook(settings.webhook_url, failure_payload(args.command, code, error or "see the run's log"))
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
