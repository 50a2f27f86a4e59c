"""Extraction throughput: abstracts/s on 1 and 2 worker processes, peak RSS.

Usage::

    .venv/bin/python bench/nlp.py [--n 5000] [--workers 1 2] [--data ../shared/data]

Abstracts are PsyNamic's real abstracts (annotated + 2025 PubMed pull) repeated
up to ``--n``; without the shared data, synthetic abstracts from
``harvester.synthetic``. The pool is the one ``nlp.runner`` uses (spawn, one
pipeline per worker, plain dicts back); database I/O is not included.
Target: >= 400 abstracts/s with 2 workers (30,000 articles in < 90 s).
"""

from __future__ import annotations

import argparse
import csv
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
    args = ap.parse_args()
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
