"""The multipage app registers every page the dashboard links to."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import PAGE_PATHS
from dashboard_support import REPO

APP = REPO / "dashboard" / "app.py"


@pytest.mark.parametrize(("name", "title"), [("search", "Search"), ("gaps", "Evidence-gap map")])
def test_app_opens_the_page(name, title, populated, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", populated[0])
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page(f"views/{name}.py").run()
    assert [t.value for t in at.title] == [title]


@pytest.mark.parametrize("name", sorted(PAGE_PATHS))
def test_every_linked_page_is_registered(name):
    assert f'PAGE_PATHS["{name}"]' in APP.read_text()


def test_app_hides_error_details_however_it_is_started(populated, monkeypatch):
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    monkeypatch.setenv("DATABASE_URL", populated[0])
    try:
        AppTest.from_file(str(APP), default_timeout=120).run()
        assert config.get_option("client.showErrorDetails") == "none"
    finally:
        config.set_option("client.showErrorDetails", before)
