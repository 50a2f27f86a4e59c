"""Fixtures for the harvester parser and ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def pubmed_fixture():
    """Path of a hand-written PubMed XML fixture in tests/fixtures/pubmed."""
    return lambda name: FIXTURES / "pubmed" / name


@pytest.fixture
def medline_fixture():
    """Path of a hand-written MEDLINE (.nbib) fixture in tests/fixtures/medline."""
    return lambda name: FIXTURES / "medline" / name
