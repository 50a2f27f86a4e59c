"""``ketamine-tracker status``: is the nightly job healthy? (for people and monitors)

Exit code 0 when every configured topic's newest run succeeded and finished
less than ``--max-age-hours`` ago; 3 (``EXIT_UNHEALTHY``) otherwise — a topic
never harvested, a failed or still-running last run, or a stale one — so a
monitor (Nagios, a cron ``|| mail``, Kubernetes probe) can alert on it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from db.status import article_counts, last_runs, watermarks

from ..app import open_database
from ..errors import EXIT_OK, EXIT_UNHEALTHY, UsageError


def register(sub) -> None:
    p = sub.add_parser("status", help="last runs per topic, watermarks, pending extraction; non-zero exit when unhealthy")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--max-age-hours", type=float, default=36.0,
                   help="a last successful run older than this is unhealthy (default 36)")
    p.add_argument("--runs", type=int, default=1, help="runs to show per topic (default 1)")
    p.set_defaults(func=run)


def _extractor_version() -> str:
    from nlp.extract import EXTRACTOR_VERSION  # here, not at the top: it loads the NLP stack

    return EXTRACTOR_VERSION


def _configured_topics(settings) -> list[str]:
    from harvester.topics import load_topics

    return list(load_topics(settings.topics_file))


def health(topics: list[str], runs: dict[str, list[dict]], now: datetime, max_age: timedelta) -> list[str]:
    """Problems that make the job unhealthy (empty list: healthy)."""
    problems = []
    for topic in topics:
        newest = (runs.get(topic) or [None])[0]
        if newest is None:
            problems.append(f"{topic}: never harvested")
        elif newest["status"] != "success":
            problems.append(f"{topic}: last run {newest['status']}" + (f": {newest['error']}" if newest.get("error") else ""))
        elif newest["finished"] is None or now - newest["finished"] > max_age:
            problems.append(f"{topic}: last success {newest['finished']:%Y-%m-%d %H:%M} UTC is older than {max_age}")
    return problems


def run(args, settings) -> int:
    if args.max_age_hours <= 0 or args.runs < 1:
        raise UsageError("--max-age-hours must be > 0 and --runs >= 1")
    engine = open_database(settings, migrate=False, read_only=True)
    topics = _configured_topics(settings)
    runs = last_runs(engine, per_topic=args.runs)
    marks = watermarks(engine)
    counts = article_counts(engine, _extractor_version())
    now = datetime.now(timezone.utc)
    problems = health(topics, runs, now, timedelta(hours=args.max_age_hours))
    if args.json:
        print(json.dumps({
            "healthy": not problems,
            "problems": problems,
            "topics": {t: {"watermark": marks.get(t, {}).get("watermark"), "runs": runs.get(t, [])} for t in topics},
            "articles": counts,
        }, default=str, indent=2))
    else:
        print(f"{'topic':<12} {'status':<8} {'finished (UTC)':<17} {'took':>7} {'found':>7} {'new':>6} {'upd':>6} {'del':>5}  watermark")
        for topic in topics:
            topic_runs = runs.get(topic) or [None]
            for r in topic_runs:
                mark = marks.get(topic, {}).get("watermark") or "-"
                if r is None:
                    print(f"{topic:<12} {'never':<8} {'-':<17} {'-':>7} {'-':>7} {'-':>6} {'-':>6} {'-':>5}  {mark}")
                    continue
                took = f"{(r['finished'] - r['started']).total_seconds():.0f}s" if r["finished"] else "-"
                fin = f"{r['finished']:%Y-%m-%d %H:%M}" if r["finished"] else "-"
                print(f"{topic:<12} {r['status']:<8} {fin:<17} {took:>7} {r['found']:>7} {r['new']:>6} {r['updated']:>6} {r['deleted']:>5}  {mark}")
                if r.get("error"):
                    print(f"{'':<12} error: {r['error']}")
        print(f"articles: {counts['articles']} (deleted {counts['deleted']}, retracted {counts['retracted']}); "
              f"pending extraction: {counts['pending_extraction']}")
        print("healthy" if not problems else "UNHEALTHY: " + "; ".join(problems))
    return EXIT_OK if not problems else EXIT_UNHEALTHY
