"""Shared data of the dashboard tests: the hand-made articles and the database builder."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

from db.engine import make_engine
from support.synthetic_db import AdverseEventSpec, ArticleSpec, DoseSpec, OutcomeSpec, fill, write_specs

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "dashboard" / "views"
PAGE_NAMES = ["overview", "search", "explorer", "gaps", "adverse_events", "outcomes", "article", "about"]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)

INJECTION = "'; DROP TABLE article; --"
HTML_TITLE = "Ketamine <script>alert(1)</script> & <b>esketamine</b> in migraine"
WILDCARD_PMID = 99_000_002
INJECTION_PMID = 99_000_001
HTML_PMID = 99_000_003
#: a review that mentions dissociation only as a known effect of ketamine (status background)
BACKGROUND_PMID = 99_000_004
BACKGROUND_SENTENCE = "Ketamine is known to cause dissociation at anaesthetic doses."
#: a trial that plans to record "vivid dreams" (no report of it anywhere) and names the comparator's constipation
PLANNED_PMID = 99_000_005
PLANNED_TERM = "vivid dreams"


def special_specs() -> list[ArticleSpec]:
    """Hand-made articles whose text holds HTML and SQL metacharacters."""
    return [
        ArticleSpec(
            pmid=INJECTION_PMID, topics=["pain"], design="case_report", conditions=["pain"], subtypes=["neuropathic pain"],
            routes=["oral"], sample_size=1, efficacy_direction="positive", pub_year=2019,
            title=f"Oral ketamine for neuropathic pain {INJECTION}",
            adverse_events=[AdverseEventSpec("nausea", "Gastrointestinal disorders")],
            doses=[DoseSpec(50, "mg", "50 mg", form="racemic", route="oral")],
            first_seen=datetime(2025, 1, 5, tzinfo=timezone.utc),
        ),
        ArticleSpec(
            pmid=WILDCARD_PMID, topics=["depression"], design="rct", conditions=["depression"],
            subtypes=["treatment-resistant depression"], routes=["intravenous"], comparators=["midazolam"],
            sample_size=120, efficacy_direction="positive", pub_year=2021,
            background="Response was defined as a 50%_ reduction of the MADRS score.",
            outcomes=[OutcomeSpec("MADRS", "improved", ["p < 0.001"])],
            adverse_events=[AdverseEventSpec("dissociation", "Psychiatric disorders", False, "30/120", 25.0),
                            AdverseEventSpec("psychotomimetic effects", "Psychiatric disorders", True)],
            doses=[DoseSpec(0.5, "mg/kg", "0.5 mg/kg", form="racemic", route="intravenous")],
            first_seen=datetime(2025, 1, 5, tzinfo=timezone.utc),
        ),
        ArticleSpec(
            pmid=HTML_PMID, topics=["migraine"], design="case_report", conditions=["migraine"], subtypes=["status migrainosus"],
            forms=["esketamine"], routes=["intranasal"], sample_size=1, efficacy_direction="positive", pub_year=2018,
            title=HTML_TITLE, is_retracted=True,
            first_seen=datetime(2025, 1, 5, tzinfo=timezone.utc),
        ),
        ArticleSpec(
            pmid=BACKGROUND_PMID, topics=["depression"], design="review", conditions=["depression"],
            subtypes=["treatment-resistant depression"], pub_year=2022,
            adverse_events=[AdverseEventSpec("dissociation", "Psychiatric disorders", status="background")],
            first_seen=datetime(2025, 1, 5, tzinfo=timezone.utc),
        ),
        ArticleSpec(
            pmid=PLANNED_PMID, topics=["pain"], design="rct", conditions=["pain"], subtypes=["postoperative pain"],
            routes=["intravenous"], comparators=["morphine"], sample_size=60, efficacy_direction="positive", pub_year=2023,
            adverse_events=[AdverseEventSpec("dissociation", "Psychiatric disorders", arm="ketamine"),
                            AdverseEventSpec(PLANNED_TERM, "Psychiatric disorders", status="planned", arm="both"),
                            AdverseEventSpec("constipation", "Gastrointestinal disorders", status="other_drug", arm="comparator")],
            first_seen=datetime(2025, 1, 5, tzinfo=timezone.utc),
        ),
    ]


def build_database(url: str, n: int = 240, seed: int = 11) -> list[ArticleSpec]:
    """Schema + ``n`` random articles + the special ones; returns every spec written."""
    engine = make_engine(url)
    try:
        specs = fill(engine, n, seed=seed, now=NOW)
        extra = special_specs()
        write_specs(engine, extra)
    finally:
        engine.dispose()
    return specs + extra




def reset_postgres(url: str) -> None:
    """Drop every table of the PostgreSQL database ``url`` (a module's own fresh start)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
            if tables:
                conn.execute(text("DROP TABLE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    finally:
        engine.dispose()
