"""Bad input, one table: each case gives a clear error (or is read as plain text) and changes nothing.

Only cases not already covered elsewhere are here. Covered before this module:
truncated XML, non-XML text, XXE with a general external entity, billion laughs,
broken MEDLINE record, missing file, bad ``--batch-size`` (``tests/harvester/
test_ingest.py``); unknown topic, invalid TOML, unsupported database URL
(``tests/harvester/test_harvest_cli.py``); injection text and LIKE wildcards in
the explorer's text search and one filter value (``tests/dashboard/
test_queries.py``); parser-level hostile XML (``tests/harvester/
test_pubmed_xml_hostile.py``).

"Changes nothing" is checked on a full dump of every table (all columns,
timestamps included) before and after, except that a failed ``ingest`` is
allowed, by design, to add one ``harvest_run`` row with status ``failed``.
"""

from __future__ import annotations

import gzip
from collections import Counter

import pytest
from sqlalchemy import select

from db import queries
from db.engine import make_engine
from db.models import HarvestRun
from support.synthetic_db import fill
from ketamine_tracker.cli import main

ARTICLE = (
    '<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article><Journal><JournalIssue><PubDate>'
    "<Year>2021</Year></PubDate></JournalIssue></Journal><ArticleTitle>{title}</ArticleTitle></Article>"
    "</MedlineCitation></PubmedArticle>"
)


def _doc(body: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    return (head + "<PubmedArticleSet>" + body + "</PubmedArticleSet>").encode()


# name -> (file bytes, a phrase the error must contain)
BAD_FILES = {
    "non-utf8-bytes": (_doc(ARTICLE.format(pmid=41000001, title="caf")).replace(b"caf", b"caf\xe9 \xff\xfe"),
                       "character encoding"),
    "mismatched-tags": (_doc(ARTICLE.format(pmid=41000002, title="a <i>b</b> c")), "malformed"),
    "xxe-parameter-entity": (_doc(ARTICLE.format(pmid=41000003, title="x"),
                                  head='<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY % ext SYSTEM '
                                       '"file:///etc/passwd"> %ext;]>\n'), "entit"),
    "quadratic-blowup": (_doc(ARTICLE.format(pmid=41000004, title="&a;" * 20_000),
                              head='<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "'
                                   + "k" * 20_000 + '">]>\n'), "entit"),
    "second-record-broken": (_doc(ARTICLE.format(pmid=41000005, title="fine")
                                  + ARTICLE.format(pmid="x41000006", title="bad pmid")), "PMID"),
    "gzip-of-garbage": (gzip.compress(b"\x00\x01\x02 not a pubmed file at all"), "neither PubMed XML nor MEDLINE"),
    "medline-non-utf8": (b"PMID- 41000007\nTI  - Ketamine caf\xe9 \xff trial.\nAB  - Text.\n", "UTF-8"),
    "medline-second-record-broken": (b"PMID- 41000008\nTI  - Fine.\n\nPMID- 41000009\nTI  - Broken\n"
                                     b"this line has no tag\n", "record"),
}

# name -> (argv after the global options, a phrase stderr must contain)
BAD_ARGS = {
    "unknown-subcommand": (["frobnicate"], "invalid choice"),
    "harvest-batch-size-zero": (["harvest", "--batch-size", "0"], "must be between 1 and 10000"),
    "harvest-workers-not-a-number": (["harvest", "--workers", "two"], "is not a whole number"),
    "harvest-negative-overlap": (["harvest", "--overlap-days", "-3"], "must be 0 or more"),
    "log-format-unknown": (["--log-format", "yaml", "status"], "invalid choice"),
    "status-negative-age": (["status", "--max-age-hours", "-1"], "--max-age-hours must be > 0"),
    "extract-zero-workers": (["extract", "--workers", "0"], "--workers must be at least 1"),
    "export-unknown-format": (["export", "--format", "xlsx"], "invalid choice"),
}

# name -> (topics TOML text, a phrase the error must contain)
BAD_TOPICS = {
    "no-topics-table": ('ketamine = "ketamine"\n', "has no [topics.NAME] tables"),
    "topic-without-query": ("[topics.pain]\nlabel = 'Pain'\n", "has no query"),
    "topic-name-with-quote": ("[topics.\"pain'; DROP TABLE article; --\"]\nquery = 'ketamine'\n",
                              "must be lower-case letters"),
    "undefined-placeholder": ("[topics.pain]\nquery = '{ketamine} AND pain'\n", "uses {ketamine}"),
    "topic-is-a-string": ('topics = "pain"\n', "has no [topics.NAME] tables"),
}


@pytest.fixture
def filled(db_url):
    """A database with the schema, 30 synthetic articles and their extractions."""
    from db.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    fill(engine, 30, seed=3, create_schema=False)
    yield db_url, engine
    engine.dispose()


def _cli(url: str, *argv) -> int:
    try:
        return main(["--quiet", "--database-url", url, *map(str, argv)])
    except SystemExit as exc:  # argparse refuses before a command runs
        return exc.code


def _failed_runs(engine) -> list[str]:
    """Status of every harvest_run row."""
    with engine.connect() as conn:
        return list(conn.execute(select(HarvestRun.status)).scalars())


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_exit_2_and_a_clear_message(case, filled, tmp_path, capsys, ops):
    url, engine = filled
    data, phrase = BAD_FILES[case]
    path = tmp_path / f"{case}.dat"
    path.write_bytes(data)
    before = ops.full_dump(engine, exclude=("harvest_run",))
    runs_before = _failed_runs(engine)
    code = _cli(url, "ingest", path)
    err = capsys.readouterr().err
    assert code == 2 and str(path) in err and phrase.lower() in err.lower(), err
    assert ops.full_dump(engine, exclude=("harvest_run",)) == before
    added = Counter(_failed_runs(engine)) - Counter(runs_before)
    assert set(added) <= {"failed"}


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_command_line_value_exits_2_and_changes_nothing(case, filled, capsys, ops):
    url, engine = filled
    argv, phrase = BAD_ARGS[case]
    before = ops.full_dump(engine)
    code = _cli(url, *argv)
    err = capsys.readouterr().err
    assert code == 2 and phrase in err, err
    assert ops.full_dump(engine) == before


@pytest.mark.parametrize("case", list(BAD_TOPICS))
def test_invalid_topics_file_exits_2_before_any_request(case, filled, tmp_path, capsys, ops):
    url, engine = filled
    text, phrase = BAD_TOPICS[case]
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    before = ops.full_dump(engine)
    code = _cli(url, "--topics", path, "--eutils-url", "http://127.0.0.1:9/", "harvest")
    err = capsys.readouterr().err
    assert code == 2 and phrase in err, err
    assert ops.full_dump(engine) == before


INJECTION = "x' OR '1'='1'; DROP TABLE article; --"
PERCENT = "%"

# name -> call(engine) whose result must be "nothing matched" for a value no row holds
QUERY_CALLS = {
    "filter-topics": lambda e: queries.count_articles(e, queries.ArticleFilter(topics=(INJECTION,))),
    "filter-designs": lambda e: queries.count_articles(e, queries.ArticleFilter(designs=(INJECTION,))),
    "filter-routes": lambda e: queries.count_articles(e, queries.ArticleFilter(routes=(INJECTION,))),
    "filter-adverse-event": lambda e: queries.count_articles(e, queries.ArticleFilter(adverse_event=INJECTION)),
    "filter-adverse-event-wildcard": lambda e: queries.count_articles(e, queries.ArticleFilter(adverse_event=PERCENT)),
    "text-search-semicolon-comment": lambda e: queries.count_articles(e, queries.ArticleFilter(text="zzqx'; DROP TABLE article; --")),
    "design-counts": lambda e: sum(n for _, n in queries.design_counts(e, conditions=[INJECTION])),
    "ae-frequencies-term": lambda e: len(queries.adverse_event_frequencies(e, term=INJECTION)),
    "ae-frequencies-wildcard": lambda e: len(queries.adverse_event_frequencies(e, term=PERCENT)),
    "ae-evidence-conditions": lambda e: len(queries.adverse_event_evidence(e, "nausea", conditions=[INJECTION])),
    "outcome-measures": lambda e: len(queries.outcome_measures(e, conditions=[INJECTION])),
    "direction-counts": lambda e: sum(r.get("n", 0) if isinstance(r, dict) else 0
                                      for r in queries.direction_counts(e, designs=[INJECTION])),
    "article-by-pmids": lambda e: len(queries.articles_by_pmids(e, [-1, 0, 2**62])),
}


@pytest.mark.parametrize("case", list(QUERY_CALLS))
def test_sql_metacharacters_in_dashboard_queries_match_nothing_and_change_nothing(case, filled, ops, request):
    _, engine = filled
    reader = make_engine(str(engine.url.render_as_string(hide_password=False)), read_only=True)
    before = ops.full_dump(engine)
    try:
        matched = QUERY_CALLS[case](reader)
    finally:
        reader.dispose()
    assert matched == 0
    assert ops.full_dump(engine) == before and queries.count_articles(engine) == 30
