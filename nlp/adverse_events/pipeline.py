"""spaCy pipelines for running this package outside ``extract_article``.

:func:`project_pipeline` is the project pipeline
(:func:`nlp.pipeline.build_pipeline`, which includes the adverse-event and
outcome components); :func:`blank_pipeline` is a blank English tokenizer with
spaCy's rule-based ``sentencizer`` and those components. Used by the
evaluations (:mod:`nlp.evaluation.ade`, :mod:`nlp.evaluation.bc5cdr`) and the
tests.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from nlp.adverse_events import add_to_pipeline as add_ae
from nlp.outcomes import add_to_pipeline as add_outcomes
from nlp.pipeline import build_pipeline


def blank_pipeline() -> Language:
    """Blank English + sentencizer + this package's components.

    Returns
    -------
    Language
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    add_ae(nlp)
    add_outcomes(nlp)
    return nlp


@lru_cache(maxsize=1)
def project_pipeline() -> Language:
    """The project pipeline (:func:`nlp.pipeline.build_pipeline`), built once.

    Returns
    -------
    Language
    """
    return build_pipeline()
