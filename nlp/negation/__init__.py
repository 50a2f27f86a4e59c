"""Negation of findings in trial abstracts: negspacy's NegEx with trial termsets.

Public API
----------
add_negation(nlp, span_keys=("kt_ae",)) -> the added component
negated_spans(doc, spans) -> list[bool]
negated_tokens(tokens, spans) -> list[bool]
load_termset(name="trial_termset") -> dict
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language

from nlp.negation.negex import TrialNegex, context_tokens, default_negex, negated_spans, negated_tokens
from nlp.negation.termsets import load_termset, max_scope

__all__ = ["add_negation", "negated_spans", "negated_tokens", "context_tokens", "load_termset", "max_scope", "TrialNegex", "default_negex"]


def add_negation(nlp: Language, span_keys: Sequence[str] = ("kt_ae",), name: str = "kt_negex") -> TrialNegex:
    """Add the trial NegEx component (factory ``kt_negex``) at the end of ``nlp``.

    Parameters
    ----------
    nlp : Language
        The pipeline (needs sentence boundaries before this component).
    span_keys : Sequence[str]
        Span groups whose spans get ``span._.negex``.
    name : str
        Component name; if already present it is returned unchanged.

    Returns
    -------
    TrialNegex
        The component.
    """
    if name in nlp.pipe_names:
        return nlp.get_pipe(name)
    return nlp.add_pipe("kt_negex", name=name, config={"span_keys": list(span_keys)})
