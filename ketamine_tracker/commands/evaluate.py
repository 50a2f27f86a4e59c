"""``ketamine-tracker evaluate [--json] [--data DIR] [--only NAME] [--write-accuracy]
[--errors FIELD] [--errors-dir DIR] [--errors-half even|odd|all]``.

Scores the extractor against labelled data (PsyNamic, StudyTypeTeller,
ADE-Corpus-V2, BC5CDR, the ketamine development gold set) and prints one
table. ``--errors`` lists, instead of the table, the gold-set abstracts the
extractor gets wrong on a field (for rule development; the tuning half only
unless ``--errors-half`` says otherwise); ``--errors-dir`` writes those lists
to one file per field beside the table. Gold text goes to the terminal or to
a directory outside the repository, never into it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..settings import Settings

REPO = Path(__file__).resolve().parents[2]
GOLD_MODULE = "ketamine_gold"


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="score the extractor against labelled data (../shared/data)")
    p.add_argument("--data", help="shared data directory (default: ../shared/data beside the repository or the current directory)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    p.add_argument("--only", action="append",
                   help="evaluation module to run (repeatable): psynamic, studytypeteller, ade, bc5cdr, ketamine_gold")
    p.add_argument("--write-accuracy", action="store_true", help="also write nlp/resources/accuracy.json (shown by the dashboard)")
    p.add_argument("--errors", action="append", metavar="FIELD",
                   help="print the ketamine gold-set errors on FIELD instead of the table (repeatable; 'all' = every field)")
    p.add_argument("--errors-dir", metavar="DIR",
                   help="write the gold-set errors to DIR/FIELD.txt (the --errors fields, default all); DIR must be outside the repository")
    p.add_argument("--errors-half", choices=("even", "odd", "all"), default="even",
                   help="which gold-set ids the error lists show (default: even, the tuning half; odd ids are held back)")
    p.set_defaults(func=run)


def data_dir(arg: str | None) -> Path:
    """The shared data directory, or UsageError (exit 2) when it is absent."""
    candidates = [Path(arg)] if arg else [REPO.parent / "shared" / "data", Path.cwd().parent / "shared" / "data", Path.cwd() / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    raise UsageError(f"evaluation data directory not found: {', '.join(str(c) for c in candidates)} (pass --data DIR)")


def error_fields(requested: list[str] | None) -> list[str]:
    """The gold-set fields to list errors for (all when none or 'all' is requested), or UsageError."""
    from nlp.evaluation.ketamine_gold import FIELDS

    if not requested or "all" in requested:
        return list(FIELDS)
    unknown = [f for f in requested if f not in FIELDS]
    if unknown:
        raise UsageError(f"unknown gold-set field(s): {', '.join(unknown)}; one of {', '.join(FIELDS)} or all")
    return list(dict.fromkeys(requested))


def errors_dir(arg: str) -> Path:
    """The directory for error files, refused (UsageError) inside the repository: it would hold gold text."""
    path = Path(arg).resolve()
    if path == REPO or REPO in path.parents:
        raise UsageError(f"--errors-dir {arg} is inside the repository; gold text must not be written there")
    if path.exists() and not path.is_dir():
        raise UsageError(f"--errors-dir {arg} is not a directory")
    return path


def error_lists(root: Path, fields: list[str], half: str) -> dict[str, str]:
    """{field: plain-text error list} on the gold set under ``root`` (UsageError when it is absent)."""
    from nlp.evaluation import ketamine_gold as kg

    records = kg.load(root)
    if not records:
        raise UsageError(f"ketamine gold set not found: {root / kg.GOLD_FILE}")
    preds = kg.predict(records)
    subset = {"even": kg.EVEN, "odd": kg.ODD, "all": kg.ALL}[half]
    return {f: kg.format_errors(kg.errors(records, preds, f, subset), f) for f in fields}


def run(args, settings: Settings) -> int:
    from nlp.evaluation.report import collect, markdown, modules, write_accuracy

    root = data_dir(args.data)
    if args.only:
        unknown = set(args.only) - set(modules())
        if unknown:
            raise UsageError(f"unknown evaluation module(s): {', '.join(sorted(unknown))}; available: {', '.join(modules())}")
    want_errors = bool(args.errors or args.errors_dir)
    if want_errors and args.only and GOLD_MODULE not in args.only:
        raise UsageError(f"--errors/--errors-dir list errors of the ketamine gold set: add --only {GOLD_MODULE} or drop --only")
    fields = error_fields(args.errors) if want_errors else []
    out_dir = errors_dir(args.errors_dir) if args.errors_dir else None

    if args.errors and out_dir is None:
        for text in error_lists(root, fields, args.errors_half).values():
            print(text)
        return 0

    rows = collect(root, args.only)
    if not rows:
        raise UsageError(f"no evaluation data found under {root}")
    if args.json:
        print(json.dumps([m.as_dict() for m in rows], indent=1, ensure_ascii=False))
    else:
        print(markdown(rows))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for field, text in error_lists(root, fields, args.errors_half).items():
            (out_dir / f"{field}.txt").write_text(text, encoding="utf-8")
        print(f"wrote {len(fields)} error list(s) to {out_dir}", file=sys.stderr)
    if args.write_accuracy:
        path = write_accuracy(rows)
        print(f"wrote {path}", file=sys.stderr)
    return 0
