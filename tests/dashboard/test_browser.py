"""The real dashboard in a real browser: `ketamine-tracker dashboard` as a
subprocess on a free port, driven by Playwright with Debian's chromium.

Screenshots of every page go to test-artifacts/screenshots/ (gitignored).
Needs /usr/bin/chromium (apt-get install chromium); skipped without it.
"""

from __future__ import annotations

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
from support.synthetic_db import render

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-artifacts" / "screenshots"
WAIT_MS = 90_000

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is absent (apt-get install chromium): browser tests skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(populated, tmp_path_factory):
    """Base URL of `ketamine-tracker dashboard` serving the populated database."""
    url, _ = populated
    port = _free_port()
    log = (tmp_path_factory.mktemp("dash_server") / "server.log").open("w")
    env = dict(os.environ, DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketamine_tracker.cli", "dashboard", "--port", str(port), "--address", "127.0.0.1"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dashboard did not start (exit {proc.poll()}); see {log.name}")
        time.sleep(0.3)
    yield base
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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


def test_explorer_search_filters_the_table(page, server, populated):
    def doc(s):
        r = render(s)
        return f"{r.title} {r.abstract}".lower()

    expected = sum(1 for s in populated[1] if "postpartum" in doc(s))
    open_page(page, server, "/explorer", "Evidence explorer")
    box = page.get_by_placeholder("e.g. suicidal ideation")
    box.fill("postpartum")
    box.press("Enter")
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
    box = page.get_by_placeholder("e.g. suicidal ideation")
    box.fill("postpartum")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*q=postpartum"), timeout=WAIT_MS)
    settle(page)
    shown = _metric(page, "Matching articles")
    other = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        other.goto(page.url)
        other.get_by_role("heading", name="Evidence explorer").first.wait_for(timeout=WAIT_MS)
        settle(other)
        shot(other, "explorer_shared_url")
        assert (_metric(other, "Matching articles"), other.get_by_placeholder("e.g. suicidal ideation").input_value()) == (
            shown, "postpartum")
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
