"""Classification scores shared by the evaluation modules.

Precision, recall and F1 as in van Rijsbergen (1979); macro averages are the
unweighted mean over the gold label set, micro averages pool the counts
(Sokolova & Lapalme 2009, Information Processing & Management 45:427-437).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def single_label(gold: Sequence[str], pred: Sequence[str], labels: Iterable[str] | None = None) -> dict:
    """Scores of a single-label classification.

    Parameters
    ----------
    gold, pred : sequence of str
        Gold and predicted label per item (same length).
    labels : iterable of str, optional
        Label set for the macro average (default: labels present in ``gold``).

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``weighted_f1`` and ``per_label`` {label: (p, r, f, support)}.
    """
    assert len(gold) == len(pred)
    labels = sorted(set(gold)) if labels is None else list(labels)
    per: dict[str, tuple[float, float, float, int]] = {}
    support = Counter(gold)
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        per[lab] = (*prf(tp, fp, fn), support[lab])
    n = len(gold)
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / n if n else 0.0
    macro = sum(v[2] for v in per.values()) / len(per) if per else 0.0
    total = sum(v[3] for v in per.values())
    weighted = sum(v[2] * v[3] for v in per.values()) / total if total else 0.0
    return {"accuracy": acc, "macro_f1": macro, "weighted_f1": weighted, "per_label": per}


def multi_label(gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Iterable[str]) -> dict:
    """Scores of a multi-label classification over ``labels``.

    Returns
    -------
    dict
        ``micro_f1``, ``macro_f1``, ``subset_accuracy`` and ``per_label``.
    """
    labels = list(labels)
    per = {}
    TP = FP = FN = 0
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred) if lab in g and lab not in p)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        per[lab] = (*prf(tp, fp, fn), tp + fn)
    n = len(gold)
    subset = sum(1 for g, p in zip(gold, pred) if set(g) & set(labels) == set(p) & set(labels)) / n if n else 0.0
    return {
        "micro_f1": prf(TP, FP, FN)[2],
        "macro_f1": sum(v[2] for v in per.values()) / len(per) if per else 0.0,
        "subset_accuracy": subset,
        "per_label": per,
    }
