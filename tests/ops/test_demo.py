from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Article, ArticleTopic, Extraction
from ketamine_tracker.cli import main


def test_demo_runs_the_nightly_job_offline(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--articles", "30", "--demo-database", url]) == 0
    out = capsys.readouterr().out
    assert "fake PubMed with 30 synthetic articles" in out
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Article)).scalar_one() == 30
        assert conn.execute(select(func.count()).select_from(Extraction)).scalar_one() == 30
        topics = {t for (t,) in conn.execute(select(ArticleTopic.topic).distinct())}
    assert topics == {"migraine", "pain", "depression"}


def test_demo_rejects_an_empty_corpus(tmp_path, capsys):
    assert main(["demo", "--articles", "0", "--demo-database", f"sqlite:///{tmp_path / 'd.db'}"]) == 2
    assert not (tmp_path / "d.db").exists()


def test_demo_names_its_own_flag_for_a_path_that_is_not_a_url(tmp_path, capsys):
    assert main(["demo", "--articles", "5", "--demo-database", str(tmp_path / "d.db")]) == 2
    out, err = capsys.readouterr()
    assert "--demo-database" in err and "is not a database URL" in err
    assert "fake PubMed" not in out  # refused before the fake server starts
    assert not (tmp_path / "d.db").exists()
