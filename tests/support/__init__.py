"""Helpers importable from any test module (``from support import shared_data``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("KT_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data, or skip the test (with the reason) when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (clone with ../shared beside the repo)")
    return path


def verdict(nlp, text: str) -> str:
    """``efficacy_direction`` of ``text`` run through ``nlp`` (the efficacy tests' one-liner)."""
    from nlp.outcomes import efficacy_direction, extract_outcomes

    doc = nlp(text)
    return efficacy_direction(doc, extract_outcomes(doc))


def commit_as_the_nightly_job(session) -> None:
    """Commit what a test wrote, then store the trial keys as the jobs that write articles do
    (:func:`db.maintenance.group_trials`), so counts of trials see the new articles."""
    from db.trials import store_trial_keys

    session.commit()
    store_trial_keys(session.connection())
    session.commit()


def add_study(session, pmid: int, abstract: str = "", *, title: str = "Ketamine trial", n: int | None = None,
              nct_ids: tuple[str, ...] = (), deleted: bool = False, extracted: bool = True) -> None:
    """Add an article (and, when ``extracted``, an RCT extraction with sample size ``n``) to ``session``."""
    from db.models import Article, Extraction

    session.add(Article(pmid=pmid, title=title, abstract=abstract, nct_ids=list(nct_ids), is_deleted=deleted))
    if extracted:
        session.add(Extraction(pmid=pmid, extractor_version="t", design="rct", sample_size=n))
