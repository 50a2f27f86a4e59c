"""The spaCy pipeline every extractor reads from.

``build_pipeline()`` returns ``spacy.blank("en")`` (or a pretrained pipeline
named by ``KETAMINE_TRACKER_SPACY_MODEL`` when it is installed, with its own
sentence splitter disabled) plus the tracker's components:

* ``kt_sentences`` - abstract-aware sentence boundaries (:mod:`nlp.sentences`);
* ``kt_abbreviations`` - Schwartz & Hearst abbreviation definitions
  (:mod:`nlp.abbreviations`), in ``doc._.kt_abbreviations``;
* ``kt_terms`` - lexicon hits (ketamine forms, conditions, routes,
  comparators) with abbreviations resolved, in ``doc._.kt_terms`` and
  ``doc.spans["kt_terms"]``;

and the adverse-event (with trial NegEx) and outcome components their
modules add through their ``add_to_pipeline(nlp)`` hooks.

:func:`nlp.extract.extract_article` does not run these components: it reads
the same sentences, abbreviations and terms from the text directly
(:mod:`nlp.document`) and uses only the pipeline's tokenizer, for NegEx. The
components serve :func:`nlp.extract.extract_doc`, the evaluations and anyone
who wants spaCy spans; ``tests/nlp/test_fast_path.py`` checks both paths
give the same result.
"""

from __future__ import annotations

import logging
import os

import spacy
from spacy.language import Language

from . import abbreviations as _abbreviations  # noqa: F401 - registers kt_abbreviations
from . import adverse_events, outcomes
from . import sentences as _sentences  # noqa: F401 - registers kt_sentences
from .matching import terms as _terms  # noqa: F401 - registers kt_terms

log = logging.getLogger("ketamine_tracker")

MODEL_ENV = "KETAMINE_TRACKER_SPACY_MODEL"


def _base(model: str | None) -> Language:
    if model:
        try:
            return spacy.load(model, exclude=["parser", "senter", "sentencizer"])
        except OSError:
            log.warning("spaCy model %r is not installed; using a blank English pipeline", model)
    return spacy.blank("en")


def build_pipeline(model: str | None = None) -> Language:
    """Build the extraction pipeline.

    Parameters
    ----------
    model : str, optional
        Name of an installed spaCy pipeline to start from; default from the
        ``KETAMINE_TRACKER_SPACY_MODEL`` environment variable, else blank English.

    Returns
    -------
    Language
        A pipeline whose docs carry sentences, abbreviations and lexicon hits.
    """
    nlp = _base(model if model is not None else os.environ.get(MODEL_ENV))
    nlp.add_pipe("kt_sentences")
    nlp.add_pipe("kt_abbreviations")
    nlp.add_pipe("kt_terms")
    adverse_events.add_to_pipeline(nlp)
    outcomes.add_to_pipeline(nlp)
    return nlp


_PIPELINE: Language | None = None


def get_pipeline() -> Language:
    """The process-wide pipeline (built on first use)."""
    global _PIPELINE
    if _PIPELINE is None:
        _PIPELINE = build_pipeline()
    return _PIPELINE
