"""Benchmark: ``ingest`` (parse and store) against pubmed_parser's ``parse_medline_xml`` (parse only).

Usage::

    .venv/bin/python bench/ingest.py [--files 15] [--records 28659] [--repeat 1]
        [--batch-size 2000] [--database-url postgresql://user@host/db] [--profile] [--without-search-index]
        [--split]

One run, the same files for both:

1. build ``--files`` gzipped PubMed XML files holding ``--records`` articles in
   all, made of the real efetch responses in
   ``../shared/data/eutils-cassettes-hawc/extracted_bodies`` (one of them holds
   259 ``PubmedArticle``) repeated with new PMIDs;
2. peer, parse only: pubmed_parser's ``parse_medline_xml`` (PyPI
   ``pubmed-parser``, the parser most Python users would pick) iterated over
   every file, in a child process;
3. this project, parse AND store: ``ingest_file`` of
   :mod:`ketamine_tracker.commands.ingest` (what ``ketamine-tracker ingest``
   runs for each file) into a fresh SQLite database in a temp dir, or with
   ``--database-url`` a fresh, uniquely named PostgreSQL database on that
   server (created through the ``postgres`` maintenance database, dropped
   afterwards), in a child process. Schema creation is excluded. The child
   reports its peak RSS (``resource.getrusage``).

With ``--split``, two more children show where the ingest's CPU goes: this
project's parser alone (:func:`harvester.file_batches.iter_file_records`), and
parsing with the content hash and row preparation
(:func:`harvester.file_batches.prepared_batches`), no database; the rest of the
ingest's CPU is the store.

Printed: records/s of both (wall), the ratio ingest / peer, the CPU seconds
of both and their ratio (steadier than wall time on a shared machine, but it
leaves out the waits of the commit), the peak RSS of the ingest, and the load
average (compare wall figures from an idle machine, and repeat). Targets: ingest rate >= 1.15x the
peer's parse-only rate; ingest peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data" / "eutils-cassettes-hawc" / "extracted_bodies"
TARGET_RATIO = 1.15
TARGET_RSS_MB = 300
FIRST_PMID = 90_000_000


def write_files(outdir: Path, files: int, records: int) -> list[Path]:
    """``files`` gzipped PubMed XML files with ``records`` articles in all (real
    efetch articles repeated, each copy with a new PMID of its own)."""
    bodies = sorted(DATA.glob("*efetch*.xml"))
    articles = [a for body in bodies
                for a in re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", body.read_bytes(), re.S)]
    if not articles:
        raise SystemExit(f"no efetch responses in {DATA} (the real data is needed)")
    pmid = re.compile(rb'<PMID Version="(\d+)">\d+</PMID>')
    paths = []
    per_file, extra = divmod(records, files)
    i = 0
    for f in range(files):
        path = outdir / f"bench{f + 1:02d}.xml.gz"
        with gzip.open(path, "wb", compresslevel=6) as out:
            out.write(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
                      b'1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
                      b"<PubmedArticleSet>\n")
            for _ in range(per_file + (1 if f < extra else 0)):
                new = b'<PMID Version="\\1">%d</PMID>' % (FIRST_PMID + i)
                out.write(pmid.sub(new, articles[i % len(articles)], count=1))
                out.write(b"\n")
                i += 1
            out.write(b"</PubmedArticleSet>\n")
        paths.append(path)
    return paths


def peer_child(paths: list[str]) -> None:
    """Child mode: iterate pubmed_parser's ``parse_medline_xml`` over every file; print JSON figures."""
    import pubmed_parser

    t0, c0 = time.perf_counter(), time.process_time()
    n = sum(1 for p in paths for _ in pubmed_parser.parse_medline_xml(p))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": n, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss_kb / 1024}))


def ingest_child(paths: list[str], url: str, batch_size: int, profile: str | None, search_index: bool = True) -> None:
    """Child mode: create the schema, then ingest every file as the CLI does; print JSON figures.

    ``search_index`` False drops the full-text index and its triggers first
    (:func:`db.search_schema.uninstall`), to show what keeping it current costs.
    """
    import logging

    from ketamine_tracker.app import open_database
    from ketamine_tracker.commands.ingest import ingest_file
    from ketamine_tracker.settings import Settings

    logging.disable(logging.INFO)
    engine = open_database(Settings(database_url=url))
    if not search_index:
        from db.search_schema import uninstall

        with engine.begin() as conn:
            uninstall(conn)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    records = new = 0
    for p in paths:
        result = ingest_file(engine, Path(p), batch_size=batch_size, interactive=False)
        records += result.records
        new += result.counts.new
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    engine.dispose()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": records, "new": new, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss_kb / 1024}))


def split_child(paths: list[str], batch_size: int, stage: str) -> None:
    """Child mode: parse every file (``stage`` "parse"), or parse, hash and flatten it into
    prepared batches (``stage`` "prepare"), without a database; print JSON figures."""
    from harvester.file_batches import iter_file_records, prepared_batches

    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for p in paths:
        if stage == "parse":
            n += sum(1 for _ in iter_file_records(Path(p), "xml"))
        else:
            parsed = [0]
            for _ in prepared_batches(Path(p), "xml", batch_size, parsed):
                pass
            n += parsed[0]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"records": n, "wall_s": wall, "cpu_s": cpu}))


def _child(args: list[str]) -> dict:
    """Run a child mode of this script; the JSON figures it printed last."""
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def fresh_database(base_url: str | None, tmpdir: Path, label: str):
    """A URL of an empty database: a new SQLite file, or a new PostgreSQL database
    on the server of ``base_url`` (dropped on exit)."""
    if not base_url:
        yield f"sqlite:///{tmpdir / f'bench-{label}.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from db.engine import normalise_url

    url = make_url(normalise_url(base_url))
    if url.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be a postgresql:// URL (SQLite is the default)")
    name = f"kt_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # name made here, never from input
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=15)
    ap.add_argument("--records", type=int, default=28_659)
    ap.add_argument("--repeat", type=int, default=1, help="measure both this many times on the same files")
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--database-url", help="benchmark PostgreSQL: a server URL (a fresh database is created on it)")
    ap.add_argument("--profile", action="store_true", help="cProfile the (first) ingest; print the top functions")
    ap.add_argument("--without-search-index", action="store_true",
                    help="also time ingest into a database without the full-text index (its triggers dropped)")
    ap.add_argument("--split", action="store_true",
                    help="also time this project's parser alone and parse+hash+rows (no database): the store is the rest")
    ap.add_argument("--peer-child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--split-child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--ingest-child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer_child:
        peer_child(args.peer_child)
        return 0
    if args.split_child:
        stage, batch, *paths = args.split_child
        split_child(paths, int(batch), stage)
        return 0
    if args.ingest_child:
        url, batch, prof, index, *paths = args.ingest_child
        ingest_child(paths, url, int(batch), prof or None, index == "index")
        return 0

    with tempfile.TemporaryDirectory(prefix="kt-bench-ingest-") as tmp:
        tmpdir = Path(tmp)
        t0 = time.perf_counter()
        paths = write_files(tmpdir, args.files, args.records)
        gz_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"files: {len(paths)} gzipped PubMed XML files, {args.records} records (real efetch articles "
              f"repeated with new PMIDs), {gz_mb:.1f} MB gzipped (built in {time.perf_counter() - t0:.1f} s)")
        backend = "PostgreSQL" if args.database_url else "SQLite"
        prof_path = tmpdir / "ingest.prof" if args.profile else None
        print(f"{'run':>4} {'peer rec/s':>11} {'ingest rec/s':>13} {'ratio':>6} {'peer CPU s':>11} {'ingest CPU s':>13} "
              f"{'CPU ratio':>10} {'ingest RSS MB':>14} {'load':>5}")
        ok = True
        for run in range(1, args.repeat + 1):
            peer = _child(["--peer-child", *map(str, paths)])
            with fresh_database(args.database_url, tmpdir, f"run{run}") as url:
                prof = str(prof_path) if prof_path and run == 1 else ""
                ing = _child(["--ingest-child", url, str(args.batch_size), prof, "index", *map(str, paths)])
            bare = None
            if args.without_search_index:
                with fresh_database(args.database_url, tmpdir, f"bare{run}") as url:
                    bare = _child(["--ingest-child", url, str(args.batch_size), "", "none", *map(str, paths)])
            if not (peer["records"] == ing["records"] == ing["new"] == args.records):
                print(f"MISMATCH: peer parsed {peer['records']}, ingest read {ing['records']} and stored "
                      f"{ing['new']} new, of {args.records} records")
                return 1
            peer_rate, ing_rate = peer["records"] / peer["wall_s"], ing["records"] / ing["wall_s"]
            ratio = ing_rate / peer_rate
            ok = ok and ratio >= TARGET_RATIO and ing["peak_rss_mb"] < TARGET_RSS_MB
            print(f"{run:4d} {peer_rate:11.0f} {ing_rate:13.0f} {ratio:5.2f}x {peer['cpu_s']:11.2f} {ing['cpu_s']:13.2f} "
                  f"{peer['cpu_s'] / ing['cpu_s']:9.2f}x {ing['peak_rss_mb']:14.0f} {os.getloadavg()[0]:5.1f}")
            if bare is not None:
                bare_rate = bare["records"] / bare["wall_s"]
                print(f"     without the full-text index: ingest {bare_rate:.0f} rec/s ({bare_rate / peer_rate:.2f}x peer), "
                      f"CPU {bare['cpu_s']:.2f} s ({peer['cpu_s'] / bare['cpu_s']:.2f}x peer); the index costs "
                      f"{(ing['cpu_s'] - bare['cpu_s']) / args.records * 1e6:.0f} µs CPU per article")
            if args.split:
                parse = _child(["--split-child", "parse", str(args.batch_size), *map(str, paths)])
                prep = _child(["--split-child", "prepare", str(args.batch_size), *map(str, paths)])
                store = (bare or ing)["cpu_s"] - prep["cpu_s"]
                print(f"     split: parse {parse['cpu_s']:.2f} s CPU ({peer['cpu_s'] / parse['cpu_s']:.2f}x peer), "
                      f"+ hash and rows {prep['cpu_s'] - parse['cpu_s']:.2f} s, "
                      f"+ store{' (no index)' if bare else ''} {store:.2f} s")
        print(f"ingest into {backend}, batch size {args.batch_size}; peer = pubmed_parser.parse_medline_xml, "
              f"parse only; {os.cpu_count()} CPUs (wall figures swing with other load on a shared machine)")
        print(f"targets: ingest >= {TARGET_RATIO:.2f}x peer, ingest peak RSS < {TARGET_RSS_MB} MB -> "
              f"{'OK' if ok else 'MISSED'}")
        if prof_path and prof_path.exists():
            import pstats

            pstats.Stats(str(prof_path)).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
