"""Benchmark: ``ingest`` of a large synthetic PubMed XML file against a bare lxml parse.

Usage::

    .venv/bin/python bench/ingest.py [--articles 20000] [--batch-size 2000] [--gzip] [--profile]

Steps (all in one run, same file):

1. write ``--articles`` synthetic PubMed articles (:mod:`harvester.synthetic`) to a temp dir;
2. bare parse: ``lxml.etree.iterparse`` over ``PubmedArticle`` end events with
   ``elem.clear()``, no field extraction (the floor any parser pays);
3. parse only: :func:`harvester.pubmed_xml.iter_records` (field extraction, no database);
4. ingest: in a child process, into a fresh SQLite database, the same code path
   as ``ketamine-tracker ingest`` (:func:`ketamine_tracker.commands.ingest.ingest_file`);
   the child reports its own wall time and peak RSS (``resource.getrusage``).
   Schema creation is timed separately and excluded from the ingest rate.

Targets: ingest ≥ 60% of the bare parse rate; peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_RATIO = 0.60
TARGET_RSS_MB = 300


def _cpu() -> float:
    return time.process_time()


def bare_parse(path: Path) -> tuple[int, float, float]:
    """Records, wall seconds and CPU seconds for iterparse + clear, nothing else."""
    from lxml import etree

    c0 = _cpu()
    t0 = time.perf_counter()
    n = 0
    for _, elem in etree.iterparse(str(path), events=("end",), tag="PubmedArticle"):
        n += 1
        elem.clear()
        parent = elem.getparent()
        while elem.getprevious() is not None:
            del parent[0]
    return n, time.perf_counter() - t0, _cpu() - c0


def parse_only(path: Path) -> tuple[int, float, float]:
    from harvester.pubmed_xml import iter_records

    c0 = _cpu()
    t0 = time.perf_counter()
    n = sum(1 for _ in iter_records(path))
    return n, time.perf_counter() - t0, _cpu() - c0


def child(path: str, url: str, batch_size: int, profile: str | None) -> None:
    """Run in a subprocess: create the schema, then ingest; print JSON figures."""
    import logging

    from ketamine_tracker.app import open_database
    from ketamine_tracker.commands.ingest import ingest_file
    from ketamine_tracker.settings import Settings

    logging.disable(logging.INFO)
    t0 = time.perf_counter()
    engine = open_database(Settings(database_url=url))
    schema_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    c1 = _cpu()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    result = ingest_file(engine, Path(path), batch_size=batch_size, interactive=False)
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    ingest_s = time.perf_counter() - t1
    ingest_cpu = _cpu() - c1
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": result.records, "new": result.counts.new, "schema_s": schema_s,
                      "ingest_s": ingest_s, "ingest_cpu_s": ingest_cpu, "peak_rss_mb": rss_kb / 1024}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--gzip", action="store_true", help="benchmark a .xml.gz file")
    ap.add_argument("--profile", action="store_true", help="cProfile the ingest child; print the top functions")
    ap.add_argument("--child", nargs=3, metavar=("FILE", "URL", "BATCH"), help=argparse.SUPPRESS)
    ap.add_argument("--child-profile", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), args.child_profile)
        return 0

    from harvester.synthetic import write_synthetic_xml

    with tempfile.TemporaryDirectory(prefix="kt-bench-ingest-") as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / ("bench.xml.gz" if args.gzip else "bench.xml")
        t0 = time.perf_counter()
        write_synthetic_xml(path, args.articles)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {path.name}, {args.articles} articles, {size_mb:.1f} MB (generated in {time.perf_counter() - t0:.1f} s)")

        if args.gzip:  # the bare parse reads the same bytes lxml would see
            import gzip
            import shutil

            plain = tmpdir / "bench.xml"
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
            bare_n, bare_s, bare_c = bare_parse(plain)
        else:
            bare_n, bare_s, bare_c = bare_parse(path)
        parse_n, parse_s, parse_c = parse_only(path)

        url = f"sqlite:///{tmpdir / 'bench.db'}"
        prof_path = tmpdir / "ingest.prof" if args.profile else None
        cmd = [sys.executable, __file__, "--child", str(path), url, str(args.batch_size)]
        if prof_path:
            cmd += ["--child-profile", str(prof_path)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        if figures["records"] != bare_n:
            print(f"MISMATCH: ingest stored {figures['records']} records, bare parse saw {bare_n}")
            return 1

        ingest_n, ingest_s, ingest_c = figures["records"], figures["ingest_s"], figures["ingest_cpu_s"]
        rows = [("bare lxml iterparse", bare_n, bare_s, bare_c), ("parse only (fields)", parse_n, parse_s, parse_c),
                ("ingest (SQLite)", ingest_n, ingest_s, ingest_c)]
        print(f"{'':22} {'records':>8} {'wall s':>8} {'rec/s wall':>11} {'CPU s':>8} {'rec/s CPU':>10}")
        for label, n, wall, cpu in rows:
            print(f"{label:22} {n:8d} {wall:8.2f} {n / wall:11.0f} {cpu:8.2f} {n / cpu:10.0f}")
        print(f"schema creation (excluded): {figures['schema_s']:.2f} s")
        ratio_wall = (ingest_n / ingest_s) / (bare_n / bare_s)
        ratio_cpu = (ingest_n / ingest_c) / (bare_n / bare_c)
        verdict = "OK" if ratio_wall >= TARGET_RATIO else "BELOW TARGET"
        print(f"parse only / bare:  {(parse_n / parse_s) / (bare_n / bare_s):.0%} wall, {(parse_n / parse_c) / (bare_n / bare_c):.0%} CPU")
        print(f"ingest / bare:      {ratio_wall:.0%} wall, {ratio_cpu:.0%} CPU (target >= {TARGET_RATIO:.0%}) -> {verdict}")
        print(f"ingest peak RSS:    {figures['peak_rss_mb']:.0f} MB (target < {TARGET_RSS_MB} MB) -> "
              f"{'OK' if figures['peak_rss_mb'] < TARGET_RSS_MB else 'ABOVE TARGET'}")
        if prof_path:
            import pstats

            pstats.Stats(str(prof_path)).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
