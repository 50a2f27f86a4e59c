"""Parallel extraction over the database.

The main process reads pending articles in chunks, workers (a
``multiprocessing`` pool with the *spawn* start method, so it behaves the same
on every platform and never inherits open database connections) each build the
spaCy pipeline once in their initializer and return plain dicts, and the main
process writes every chunk in one transaction while the workers already
extract the next chunk (reading and writing the database no longer leaves them
idle). ``nlp.pipe(n_process=...)`` is not used: it pickles Doc objects back to
the parent, which is slower than returning the small result dicts.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
import os
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import Engine

from db.extractions import articles_to_extract, load_articles, write_extractions

from .errors import ExtractionWorkersError
from .extract import EXTRACTOR_VERSION, extract_article

log = logging.getLogger("nlp.runner")

CHUNK = 400  # articles read, extracted and written per transaction
TASK = 25  # articles per worker task


@dataclass
class ExtractCounts:
    pending: int = 0
    extracted: int = 0
    failed: int = 0
    version: str = EXTRACTOR_VERSION

    def as_dict(self) -> dict:
        return {"pending": self.pending, "extracted": self.extracted, "failed": self.failed, "version": self.version}


#: ``on_progress(done, total)``: articles extracted and stored so far, of ``total`` pending.
ProgressCallback = Callable[[int, int], None]

_NLP = None


def init_worker() -> None:
    """Build this process's spaCy pipeline once, for :func:`extract_batch`.

    The initializer of an extraction process pool (picklable, so *spawn*
    workers can run it); in the main process, call it before timing
    :func:`extract_batch` so that the pipeline's construction is not timed.
    """
    global _NLP
    from .pipeline import build_pipeline

    _NLP = build_pipeline()


def extract_batch(articles: list[dict]) -> list[dict]:
    """Extract a list of articles (as from :func:`db.extractions.load_articles`).

    Failures of single articles are logged and returned as ``{"pmid", "error"}``
    so one odd abstract never stops a run.
    """
    if _NLP is None:
        init_worker()
    out = []
    for art in articles:
        try:
            r = extract_article(art["pmid"], art["title"], art["abstract"], art.get("pub_types", ()), art.get("mesh", ()), nlp=_NLP)
            r["content_hash"] = art.get("content_hash", "")
            out.append(r)
        except Exception as exc:  # noqa: BLE001 - reported per article
            out.append({"pmid": art["pmid"], "error": f"{type(exc).__name__}: {exc}"})
    return out


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def run_extraction(engine: Engine, all: bool = False, workers: int | None = None, *,
                   on_progress: ProgressCallback | None = None) -> ExtractCounts:
    """Extract every pending article and store the results.

    Parameters
    ----------
    engine : Engine
        The tracker database.
    all : bool
        Re-extract every (non-deleted) article, not just pending ones.
    workers : int, optional
        Worker processes (default: CPU count, at most 4); 1 runs in-process.
    on_progress : Callable[[int, int], None], optional
        Called as ``on_progress(done, total)`` once before the first chunk
        (``done == 0``) and after each chunk is stored; not called when
        nothing is pending.

    Returns
    -------
    ExtractCounts

    Raises
    ------
    ExtractionWorkersError
        The worker processes stopped before the run finished.
    """
    pmids = articles_to_extract(engine, EXTRACTOR_VERSION, all=all)
    counts = ExtractCounts(pending=len(pmids))
    if not pmids:
        return counts
    workers = workers or default_workers()
    workers = max(1, min(workers, (len(pmids) + TASK - 1) // TASK))
    pool = None
    if workers > 1:
        # An executor, not multiprocessing.Pool: a worker that dies (or whose
        # initializer fails) raises BrokenProcessPool instead of being
        # respawned forever, so a broken environment fails the run clearly.
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=init_worker)
    chunks = [pmids[i : i + CHUNK] for i in range(0, len(pmids), CHUNK)]

    def submit(chunk: list[int]):
        articles = load_articles(engine, chunk)
        tasks = [articles[j : j + TASK] for j in range(0, len(articles), TASK)]
        if pool is None:
            return articles, tasks
        return articles, [pool.submit(extract_batch, t) for t in tasks]

    report = on_progress or (lambda done, total: None)
    done = 0
    try:
        report(done, len(pmids))
        pending = submit(chunks[0])
        for k in range(len(chunks)):
            articles, work = pending
            # the workers extract the next chunk while this one is written
            pending = submit(chunks[k + 1]) if k + 1 < len(chunks) else None
            results: list[dict] = []
            if pool is None:
                for t in work:
                    results.extend(extract_batch(t))
            else:
                try:
                    for future in work:
                        results.extend(future.result())
                except BrokenProcessPool as exc:
                    raise ExtractionWorkersError(
                        f"extraction workers stopped unexpectedly ({exc}); "
                        "run `ketamine-tracker extract --workers 1` to see the error") from exc
            good = [r for r in results if "error" not in r]
            for r in results:
                if "error" in r:
                    log.warning("extraction of PMID %s failed: %s", r["pmid"], r["error"])
            counts.extracted += write_extractions(engine, good)
            counts.failed += len(results) - len(good)
            done += len(articles)
            report(done, len(pmids))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return counts
