"""Fixtures shared by the NLP tests."""

import pytest

from nlp.adverse_events.pipeline import blank_pipeline


@pytest.fixture(scope="module")
def nlp():
    """The blank spaCy pipeline with the tracker's components (test_negation.py has its own)."""
    return blank_pipeline()
