"""Helpers importable from any test module (``from support import shared_data``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("KT_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data, or skip the test (with the reason) when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (clone with ../shared beside the repo)")
    return path


def verdict(nlp, text: str) -> str:
    """``efficacy_direction`` of ``text`` run through ``nlp`` (the efficacy tests' one-liner)."""
    from nlp.outcomes import efficacy_direction, extract_outcomes

    doc = nlp(text)
    return efficacy_direction(doc, extract_outcomes(doc))
