"""``ketamine-tracker status``: is the nightly job healthy? (for people and monitors)

Besides the last runs and the totals it shows the stored articles per harvest
topic (extracted, pending extraction, retracted) and per extracted condition.
Trials ("k trials") are not shown: grouping reports into trials reads every
abstract (about 2 s at 50,000 articles), too slow for a monitor's probe.

Exit code 0 when every configured topic's newest run succeeded and finished
less than ``--max-age-hours`` ago; 3 (``EXIT_UNHEALTHY``) otherwise — a topic
never harvested, a failed or still-running last run, or a stale one — so a
monitor (Nagios, a cron ``|| mail``, Kubernetes probe) can alert on it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from db.status import NO_CONDITION, article_counts, condition_counts, last_runs, topic_counts, watermarks

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


def _condition_labels() -> tuple[str, ...]:
    from nlp.conditions import LABELS  # here, not at the top: it loads the NLP stack

    return LABELS


def per_topic(topics: list[str], counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Counts of every configured topic (zeros when it has no article), then of other stored topics.

    Parameters
    ----------
    topics : list of str
        The configured topics, in the order of the topics file.
    counts : dict
        :func:`db.status.topic_counts`.

    Returns
    -------
    dict
        ``{topic: {"stored", "extracted", "pending_extraction", "retracted"}}``.
    """
    zero = {"stored": 0, "extracted": 0, "pending_extraction": 0, "retracted": 0}
    return {t: counts.get(t, dict(zero)) for t in [*topics, *sorted(set(counts) - set(topics))]}


def per_condition(labels: tuple[str, ...], counts: dict[str, int]) -> dict[str, int]:
    """Articles of every condition label (zeros included), other stored labels, then :data:`NO_CONDITION`.

    Parameters
    ----------
    labels : tuple of str
        The NLP stage's condition labels, in display order.
    counts : dict
        :func:`db.status.condition_counts`.

    Returns
    -------
    dict
        ``{condition: articles}``, ending with ``NO_CONDITION``.
    """
    others = sorted(set(counts) - set(labels) - {NO_CONDITION})
    return {c: counts.get(c, 0) for c in [*labels, *others, NO_CONDITION]}


def _print_counts(topics: dict[str, dict[str, int]], conditions: dict[str, int]) -> None:
    print()
    print(f"{'topic':<12} {'stored':>7} {'extracted':>9} {'pending':>7} {'retracted':>9}")
    for topic, c in topics.items():
        print(f"{topic:<12} {c['stored']:>7} {c['extracted']:>9} {c['pending_extraction']:>7} {c['retracted']:>9}")
    print()
    print(f"{'condition':<12} {'articles':>8}")
    for condition, n in conditions.items():
        label = "none yet" if condition == NO_CONDITION else condition
        print(f"{label:<12} {n:>8}")
    print("(an article of two topics or conditions counts under each)")
    print()


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
    version = _extractor_version()
    counts = article_counts(engine, version)
    by_topic = per_topic(topics, topic_counts(engine, version))
    by_condition = per_condition(_condition_labels(), condition_counts(engine))
    now = datetime.now(timezone.utc)
    problems = health(topics, runs, now, timedelta(hours=args.max_age_hours))
    if args.json:
        print(json.dumps({
            "healthy": not problems,
            "problems": problems,
            "topics": {t: {"watermark": marks.get(t, {}).get("watermark"), "runs": runs.get(t, [])} for t in topics},
            "articles": counts,
            "articles_per_topic": by_topic,
            "articles_per_condition": by_condition,
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
        _print_counts(by_topic, by_condition)
        print("healthy" if not problems else "UNHEALTHY: " + "; ".join(problems))
    return EXIT_OK if not problems else EXIT_UNHEALTHY
