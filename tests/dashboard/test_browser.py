"""The real dashboard in a real browser: `ketamine-tracker dashboard` as a
subprocess on a free port, driven by Playwright with Debian's chromium.

Issue 15 asks for the search box, a shared URL reproducing a view, the gap
map's click-through and the adverse-events route filter; each has a test here
that works the page as a user would (typing, clicking a map cell, choosing a route).

Screenshots of every page go to test-artifacts/screenshots/ (gitignored).
Needs /usr/bin/chromium (apt-get install chromium); skipped without it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard_support import REPO, WILDCARD_PMID
from db.engine import make_engine
from db.search import MAX_LIMIT, search

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-artifacts" / "screenshots"
WAIT_MS = 90_000
#: the label of the search box, on the Search page and in the explorer's sidebar
SEARCH_BOX = "Search title, abstract, MeSH and keywords"

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is absent (apt-get install chromium): browser tests skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(url: str, log_path: Path):
    """``ketamine-tracker dashboard`` on a free port serving ``url``; yields its base URL."""
    port = _free_port()
    log = log_path.open("w")
    env = dict(os.environ, DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketamine_tracker.cli", "dashboard", "--port", str(port), "--address", "127.0.0.1"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start (exit {proc.poll()}); see {log_path}")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(populated, tmp_path_factory):
    """Base URL of `ketamine-tracker dashboard` serving the populated database."""
    url, _ = populated
    with dashboard_server(url, tmp_path_factory.mktemp("dash_server") / "server.log") as base:
        yield base


def test_deep_link_is_the_first_visit_of_a_fresh_server(populated, browser, tmp_path):
    """A link to a page, opened before anyone saw the Overview, shows that page and no "Page not found"
    (Streamlit read a ``pages/`` folder beside the entry point as the legacy page list)."""
    url, _ = populated
    with dashboard_server(url, tmp_path / "server.log") as base:
        pg = browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            open_page(pg, base, "/adverse-events", "Adverse events")
            shot(pg, "deep_link_first_visit")
            assert "Page not found" not in pg.inner_text("body")
        finally:
            pg.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1500, "height": 1100})
    yield pg
    pg.close()


def settle(pg) -> None:
    """Wait until Streamlit has finished running the page script."""
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')",
        timeout=WAIT_MS,
    )
    pg.wait_for_timeout(800)  # let charts finish drawing before the screenshot
    assert pg.locator('[data-testid="stException"]').count() == 0


def shot(pg, name: str) -> None:
    """Screenshot of the whole page (Streamlit scrolls inside stMain, so grow the viewport to fit it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = pg.viewport_size
    height = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    pg.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
    pg.wait_for_timeout(1000)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size(size)


def open_page(pg, base: str, path: str, heading: str) -> None:
    pg.goto(base + path)
    pg.get_by_role("heading", name=heading).first.wait_for(timeout=WAIT_MS)
    settle(pg)


def test_overview_shows_totals_and_pyramid(page, server, populated):
    open_page(page, server, "/", "Ketamine evidence map")
    page.get_by_text("Evidence pyramid").first.wait_for(timeout=WAIT_MS)
    first_metric = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    shot(page, "overview")
    assert first_metric.replace(",", "") == str(len(populated[1]))


def found(url: str, query: str) -> list[int]:
    """The PMIDs db.search.search finds for ``query`` (what the Search page lists), best first."""
    engine = make_engine(url, read_only=True)
    try:
        return [h.pmid for h in search(engine, query, limit=MAX_LIMIT).hits]
    finally:
        engine.dispose()


def type_search(pg, query: str) -> None:
    box = pg.get_by_label(SEARCH_BOX, exact=True)
    box.fill(query)
    box.press("Enter")


def test_explorer_search_filters_the_table(page, server, populated):
    expected = len(found(populated[0], '"postpartum depression" OR postpartum*'))
    open_page(page, server, "/explorer", "Evidence explorer")
    type_search(page, '"postpartum depression" OR postpartum*')
    value = page.locator('[data-testid="stMetricValue"]').first
    page.wait_for_function(
        "n => { const el = document.querySelector('[data-testid=\"stMetricValue\"]');"
        " return !!el && el.innerText.replace(/,/g, '') === String(n); }",
        arg=expected, timeout=WAIT_MS,
    )
    settle(page)
    shot(page, "explorer")
    assert value.inner_text().replace(",", "") == str(expected)


def test_article_link_opens_highlighted_abstract(page, server):
    open_page(page, server, "/article", "Article")
    link = page.locator('a[href*="pmid="]').first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(r".*pmid=\d+"), timeout=WAIT_MS)
    page.get_by_text("Abstract with extracted facts").wait_for(timeout=WAIT_MS)
    settle(page)
    assert re.search(r"pmid=(\d+)", href).group(1) in page.url
    assert page.locator("mark.kt-condition").count() > 0


def test_article_page_shows_negated_event(page, server):
    open_page(page, server, f"/article?pmid={WILDCARD_PMID}", "Abstract with extracted facts")
    negated = page.locator("mark.kt-negated")
    negated.first.wait_for(timeout=WAIT_MS)
    shot(page, "article")
    assert negated.first.inner_text() == "psychotomimetic effects"


def test_adverse_events_page(page, server):
    open_page(page, server, "/adverse-events", "Adverse events")
    page.get_by_text("Evidence sentences").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "adverse_events")
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1


def test_outcomes_page(page, server):
    open_page(page, server, "/outcomes", "Outcomes and efficacy")
    page.get_by_text("Randomised controlled trials").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "outcomes")
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2


def test_about_page(page, server):
    open_page(page, server, "/about", "About the data")
    page.get_by_text("Harvest history").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "about")
    assert page.get_by_text("1 of the last").count() == 1


def test_explorer_exports_ris_of_the_filtered_set(page, server, populated):
    expected = sum(1 for s in populated[1] if s.extracted and s.design == "case_report")
    open_page(page, server, "/explorer?design=case_report", "Evidence explorer")
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="RIS").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("TY  - JOUR")
    assert text.count("ER  - ") == expected


def _metric(pg, label: str) -> str:
    """The value of the metric whose label is ``label``."""
    box = pg.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")


def test_shared_explorer_url_reproduces_the_view(page, server, browser):
    open_page(page, server, "/explorer", "Evidence explorer")
    type_search(page, "postpartum")
    page.wait_for_url(re.compile(r".*q=postpartum"), timeout=WAIT_MS)
    settle(page)
    shown = _metric(page, "Matching articles")
    other = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        other.goto(page.url)
        other.get_by_role("heading", name="Evidence explorer").first.wait_for(timeout=WAIT_MS)
        settle(other)
        shot(other, "explorer_shared_url")
        assert (_metric(other, "Matching articles"), other.get_by_label(SEARCH_BOX, exact=True).input_value()) == (shown, "postpartum")
    finally:
        other.close()


def test_adverse_events_route_filter_from_a_url(page, server, populated):
    specs = populated[1]
    expected = sum(max(1, len(s.conditions)) for s in specs if s.extracted and "intranasal" in s.routes
                   and "esketamine" in s.forms for _ in {a.term for a in s.adverse_events if a.status == "occurred"})
    open_page(page, server, "/adverse-events?route=intranasal&form=esketamine", "Adverse events")
    page.get_by_text("Event × route").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "adverse_events_intranasal_esketamine")
    assert _metric(page, "Study reports: occurred") == str(expected)


# --------------------------------------------------------------------------- issue 15: search, gap map, AE route filter


def test_search_box_lists_results_with_the_words_marked(page, server, populated):
    query = '"treatment resistant" AND intranasal'
    expected = found(populated[0], query)
    open_page(page, server, "/search", "Search")
    type_search(page, query)
    page.wait_for_url(re.compile(r".*/search\?q=.+"), timeout=WAIT_MS)
    page.locator(".kt-search-hit").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "search")
    first = page.locator(".kt-search-hit").first
    marked = [m.lower() for m in first.locator("mark").all_inner_texts()]
    assert (_metric(page, "Matching articles"), re.search(r"pmid=(\d+)", first.locator("a").first.get_attribute("href")).group(1),
            any("treatment" in m for m in marked), any(m.startswith("intranasal") for m in marked)) == (
        str(len(expected)), str(expected[0]), True, True)


def test_search_box_with_bad_syntax_shows_the_reason(page, server):
    open_page(page, server, "/search", "Search")
    type_search(page, "migraine AND (nausea")
    page.get_by_text("This search cannot be run").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "search_bad_syntax")
    assert page.locator(".kt-search-hit").count() == 0


def test_explorer_search_with_bad_syntax_shows_the_reason(page, server):
    open_page(page, server, "/explorer", "Evidence explorer")
    type_search(page, '"treatment resistant')
    page.get_by_text("This search cannot be run").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "explorer_bad_syntax")
    assert page.locator('[data-testid="stCode"]').first.inner_text().splitlines()[-1].strip() == "^"


def _cell(pg, route: str, condition: str):
    """The gap map's rect for a cell (the SVG marks carry their tooltip fields as aria-label)."""
    return pg.locator(f'[data-testid="stVegaLiteChart"] path[role="graphics-symbol"]'
                      f'[aria-label*="Route: {route}; Condition: {condition};"]').first


def test_gap_map_cell_opens_the_explorer_with_its_filters_and_count(page, server):
    open_page(page, server, "/gaps?tier=rct&form=esketamine", "Evidence-gap map")
    cell = _cell(page, "Intranasal", "Depression")
    cell.wait_for(timeout=WAIT_MS)
    articles = re.search(r"Articles: ([\d,]+)", cell.get_attribute("aria-label")).group(1).replace(",", "")
    shot(page, "gaps_rct_esketamine")
    box = cell.bounding_box()  # the middle of the cell, where its number is drawn over it: both link
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r".*/explorer\?.*"), timeout=WAIT_MS)
    page.get_by_role("heading", name="Evidence explorer").first.wait_for(timeout=WAIT_MS)
    settle(page)
    shot(page, "gaps_cell_in_the_explorer")
    params = dict(p.split("=", 1) for p in page.url.split("?", 1)[1].split("&"))
    assert ({k: params.get(k) for k in ("condition", "route", "tier", "form")}, _metric(page, "Matching articles")) == (
        {"condition": "depression", "route": "intranasal", "tier": "rct", "form": "esketamine"}, articles)


def test_adverse_events_route_chosen_on_the_page_changes_the_counts(page, server, populated):
    specs = populated[1]
    expected = sum(max(1, len(s.conditions)) for s in specs if s.extracted and "intranasal" in s.routes
                   for _ in {a.term for a in s.adverse_events if a.status == "occurred"})
    open_page(page, server, "/adverse-events", "Adverse events")
    page.get_by_text("Event × route").first.wait_for(timeout=WAIT_MS)
    before = _metric(page, "Study reports: occurred")
    route = page.get_by_role("combobox", name="Route", exact=True)  # the multiselect's input
    route.click()
    route.fill("Intranasal")
    route.press("Enter")
    route.press("Escape")  # close the list of routes
    page.wait_for_url(re.compile(r".*route=intranasal"), timeout=WAIT_MS)
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => m.innerText.includes("
        "'Study reports: occurred') && m.querySelector('[data-testid=\"stMetricValue\"]').innerText.replace(/,/g, '') === String(n))",
        arg=expected, timeout=WAIT_MS,
    )
    settle(page)
    shot(page, "adverse_events_route_chosen")
    routes_caption = page.get_by_text("Studies of each route in this selection").first.inner_text()
    assert (before != str(expected), _metric(page, "Study reports: occurred"), "Intravenous" in routes_caption,
            "Intranasal" in routes_caption) == (True, str(expected), False, True)
