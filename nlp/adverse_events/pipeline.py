"""A spaCy pipeline for running this package outside ``extract_article``.

Uses the project pipeline (:func:`nlp.pipeline.build_pipeline`) when it is
importable, else a blank English tokenizer with spaCy's rule-based
``sentencizer``; in both cases the adverse-event and outcome components are
added. Used by the evaluations (:mod:`nlp.evaluation.ade`,
:mod:`nlp.evaluation.bc5cdr`) and the tests.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


def blank_pipeline() -> Language:
    """Blank English + sentencizer + this package's components.

    Returns
    -------
    Language
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    _add_ours(nlp)
    return nlp


def _add_ours(nlp: Language) -> None:
    from nlp.adverse_events import add_to_pipeline as add_ae
    from nlp.outcomes import add_to_pipeline as add_outcomes

    add_ae(nlp)
    add_outcomes(nlp)


@lru_cache(maxsize=1)
def project_pipeline() -> Language:
    """The project pipeline if it exists, else :func:`blank_pipeline`.

    Returns
    -------
    Language
    """
    try:
        from nlp.pipeline import build_pipeline
    except ImportError:
        return blank_pipeline()
    nlp = build_pipeline()
    _add_ours(nlp)
    return nlp
