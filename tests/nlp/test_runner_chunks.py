"""The extraction runner over several chunks with a worker pool (the next chunk
is extracted while the current one is written) stores what one process stores."""

from sqlalchemy import select
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.engine import make_engine
from db.extractions import read_extractions
from db.models import Article
from db.records import ArticleRecord
from db.store import upsert_articles
from nlp import runner

ABSTRACTS = [
    "Forty patients were randomized to intravenous ketamine 0.5 mg/kg or midazolam. Nausea occurred in 3 of 20 patients.",
    "We report a case of esketamine nasal spray in treatment-resistant depression; no serious adverse events occurred.",
    "MADRS scores decreased significantly with ketamine (p < 0.01) but headache was common after the infusion.",
]


def _engine(path):
    eng = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(eng)
    recs = [ArticleRecord(pmid=i, title=f"Ketamine study {i}", abstract=ABSTRACTS[i % 3], pub_year=2021) for i in range(1, 131)]
    upsert_articles(eng, recs)
    return eng


def _stored(eng):
    rows = read_extractions(eng)
    return [{k: v for k, v in r.items() if k != "extracted_at"} for r in rows]


def test_pool_over_several_chunks_stores_the_same_as_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 40)  # 130 articles: four chunks
    monkeypatch.setattr(runner, "TASK", 7)
    one, pool = _engine(tmp_path / "one.db"), _engine(tmp_path / "pool.db")
    runner.run_extraction(one, workers=1)
    counts = runner.run_extraction(pool, workers=2)
    assert (counts.extracted, counts.failed) == (130, 0)
    assert _stored(pool) == _stored(one)


def test_pool_over_several_chunks_clears_every_pending_flag(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 40)
    eng = _engine(tmp_path / "pool.db")
    runner.run_extraction(eng, workers=2)
    with eng.connect() as c:
        assert not any(c.execute(select(Article.needs_extraction)).scalars().all())


def test_a_broken_worker_pool_fails_the_run_instead_of_hanging(tmp_path, monkeypatch):
    import sys
    import types

    import pytest

    from nlp.errors import ExtractionWorkersError

    # A __main__ that spawn children cannot re-import (what Streamlit's AppTest
    # leaves behind): every worker dies before it can extract anything.
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(tmp_path / "vanished_script.py")
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    eng = _engine(tmp_path / "broken.db")
    with pytest.raises(ExtractionWorkersError, match="extraction workers stopped unexpectedly"):
        runner.run_extraction(eng, workers=2)


def test_progress_reaches_the_callback_from_zero_to_every_article(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 40)
    calls: list[tuple[int, int]] = []
    runner.run_extraction(_engine(tmp_path / "p.db"), workers=1, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 130), (40, 130), (80, 130), (120, 130), (130, 130)]
