"""``ketamine-tracker evaluate [--json] [--data DIR] [--only NAME] [--write-accuracy]``.

Scores the extractor against labelled data nobody in this project wrote
(PsyNamic, StudyTypeTeller, ADE-Corpus-V2, BC5CDR) and prints one table.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import UsageError
from ..settings import Settings

REPO = Path(__file__).resolve().parents[2]


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="score the extractor against public labelled data (../shared/data)")
    p.add_argument("--data", help="shared data directory (default: ../shared/data beside the repository or the current directory)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    p.add_argument("--only", action="append", help="evaluation module to run (repeatable): psynamic, studytypeteller, ade, bc5cdr")
    p.add_argument("--write-accuracy", action="store_true", help="also write nlp/resources/accuracy.json (shown by the dashboard)")
    p.set_defaults(func=run)


def data_dir(arg: str | None) -> Path:
    """The shared data directory, or UsageError (exit 2) when it is absent."""
    candidates = [Path(arg)] if arg else [REPO.parent / "shared" / "data", Path.cwd().parent / "shared" / "data", Path.cwd() / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    raise UsageError(f"evaluation data directory not found: {', '.join(str(c) for c in candidates)} (pass --data DIR)")


def run(args, settings: Settings) -> int:
    from nlp.evaluation.report import collect, markdown, modules, write_accuracy

    root = data_dir(args.data)
    if args.only:
        unknown = set(args.only) - set(modules())
        if unknown:
            raise UsageError(f"unknown evaluation module(s): {', '.join(sorted(unknown))}; available: {', '.join(modules())}")
    rows = collect(root, args.only)
    if not rows:
        raise UsageError(f"no evaluation data found under {root}")
    if args.json:
        print(json.dumps([m.as_dict() for m in rows], indent=1, ensure_ascii=False))
    else:
        print(markdown(rows))
    if args.write_accuracy:
        path = write_accuracy(rows)
        print(f"wrote {path}", file=__import__("sys").stderr)
    return 0
