import contextlib
import io
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Article, ArticleTopic, ExtractedAdverseEvent, Extraction, ExtractionRoute
from ketamine_tracker.cli import main
from ketamine_tracker.commands.demo import look_at_it

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One ``ketamine-tracker demo --articles 30`` run: (exit code, stdout, engine of the demo database)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["demo", "--articles", "30", "--demo-database", url])
    engine = make_engine(url)
    yield code, out.getvalue(), engine
    engine.dispose()


def _scalar(engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def test_demo_exits_0_and_names_its_server_and_database(demo_run):
    code, out, _ = demo_run
    assert code == 0
    assert "fake PubMed with 30 generated articles on http://127.0.0.1:" in out
    assert "demo database: sqlite:///" in out


def test_demo_stores_every_generated_article_under_its_topic(demo_run):
    _, _, engine = demo_run
    with engine.connect() as conn:
        per_topic = dict(conn.execute(select(ArticleTopic.topic, func.count()).group_by(ArticleTopic.topic)).all())
        titles = conn.execute(select(Article.title)).scalars().all()
    assert per_topic == {"migraine": 10, "pain": 10, "depression": 10}
    assert len(titles) == 30 and all("ketamine" in t.lower() for t in titles)


def test_demo_extracts_study_facts_from_every_article(demo_run):
    _, _, engine = demo_run
    assert _scalar(engine, select(func.count()).select_from(Extraction)) == 30
    assert _scalar(engine, select(func.count(func.distinct(ExtractionRoute.pmid)))) == 30
    assert _scalar(engine, select(func.count()).select_from(Extraction).where(Extraction.sample_size.is_not(None))) > 0
    assert _scalar(engine, select(func.count()).select_from(Extraction).where(Extraction.design == "rct")) > 0


def test_demo_extracts_adverse_events(demo_run):
    _, _, engine = demo_run
    assert _scalar(engine, select(func.count(func.distinct(ExtractedAdverseEvent.pmid)))) > 0


def test_demo_rejects_an_empty_corpus(tmp_path, capsys):
    assert main(["demo", "--articles", "0", "--demo-database", f"sqlite:///{tmp_path / 'd.db'}"]) == 2
    assert not (tmp_path / "d.db").exists()


def test_demo_names_its_own_flag_for_a_path_that_is_not_a_url(tmp_path, capsys):
    assert main(["demo", "--articles", "5", "--demo-database", str(tmp_path / "d.db")]) == 2
    out, err = capsys.readouterr()
    assert "--demo-database" in err and "is not a database URL" in err
    assert "fake PubMed" not in out  # refused before the fake server starts
    assert not (tmp_path / "d.db").exists()


def _hint_lines(out: str) -> list[str]:
    start = out.splitlines().index(next(line for line in out.splitlines() if line.startswith("look at it:")))
    return [line.split(":", 1)[1].strip() if i == 0 else line.strip() for i, line in enumerate(out.splitlines()[start:start + 2])]


def test_demo_status_hint_runs_as_printed(demo_run):
    _, out, _ = demo_run
    status, _ = _hint_lines(out)
    proc = subprocess.run(shlex.split(status), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_demo_dashboard_hint_in_a_clone_is_make_dashboard_with_the_demo_database():
    _, dashboard = look_at_it("sqlite:///data/demo.db", REPO)
    assert dashboard == "make dashboard DATABASE_URL=sqlite:///data/demo.db"


def test_demo_dashboard_hint_outside_a_clone_calls_an_existing_executable(tmp_path):
    _, dashboard = look_at_it("sqlite:///data/demo.db", tmp_path)
    exe = shlex.split(dashboard)[0]
    assert Path(exe).is_file() or shutil.which(exe) is not None


def test_demo_hint_quotes_a_database_path_with_a_space(tmp_path):
    status, _ = look_at_it(f"sqlite:///{tmp_path}/my demo.db", tmp_path)
    assert shlex.split(status)[-2] == f"sqlite:///{tmp_path}/my demo.db"
