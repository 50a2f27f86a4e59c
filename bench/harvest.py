"""Benchmark: harvesting a 25,000-record topic from the fake E-utilities server.

Prints the requests a backfill needs (esearch for counting and slicing past
PubMed's 9,999-id cap, efetch batches), the wall time those requests would
take at NCBI's 3 requests/s without an API key (requests / 3) and at 10/s with
one, and the measured wall time with the rate limiter relaxed (fake server,
local database), split into search and fetch+parse+store.

    .venv/bin/python bench/harvest.py [--records 25000] [--batch-size 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import SQLModel  # noqa: E402

import db.models  # noqa: E402,F401
from db.engine import make_engine, redact  # noqa: E402
from harvester.eutils import EutilsClient  # noqa: E402
from tests.support.fake_eutils import FakeEutils, make_articles  # noqa: E402
from harvester.harvest import HarvestOptions, IdSearch, harvest_topic  # noqa: E402
from harvester.topics import Topic  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=25_000)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--database-url", help="default: a temporary SQLite file")
    args = p.parse_args()

    topic = Topic("pain", "ketamine AND pain (benchmark)")
    today = date(2025, 6, 1)
    arts = make_articles(args.records, "pain", start=date(1995, 1, 1), end=date(2025, 5, 31))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
        with FakeEutils({topic.name: topic.query}, arts, rate_limit=None, rate_limit_with_key=None) as server:
            with EutilsClient(server.url, rate=0) as client:
                t0 = time.perf_counter()
                ids = IdSearch(client, topic.query).run(today=today)
                search_s = time.perf_counter() - t0
                search_requests = server.counts()["esearch"]
                server.reset_log()
                t0 = time.perf_counter()
                result = harvest_topic(engine, client, topic,
                                       HarvestOptions(batch_size=args.batch_size, workers=args.workers, today=lambda: today))
                total_s = time.perf_counter() - t0
                counts = server.counts()
        engine.dispose()
    requests = counts["esearch"] + counts["efetch"]
    print(f"harvest benchmark: {args.records} records in one topic, batch size {args.batch_size}, "
          f"{args.workers} fetch workers, database {redact(url) if args.database_url else 'temporary SQLite file'}")
    print(f"  ids found                 : {len(ids)} (stored {result.new} new)")
    print(f"  requests                  : {requests} = {counts['esearch']} esearch + {counts['efetch']} efetch")
    print(f"  simulated wall at 3 req/s : {requests / 3:.1f} s (NCBI without API key)")
    print(f"  simulated wall at 10 req/s: {requests / 10:.1f} s (with API key)")
    print(f"  measured, limiter relaxed : {total_s:.1f} s total; id search alone {search_s:.2f} s ({search_requests} esearch)")
    print(f"  throughput                : {result.new / total_s:.0f} records/s (fetch + parse + store)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
