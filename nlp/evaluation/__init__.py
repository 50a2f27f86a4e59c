"""Evaluation of the extractor against labelled data nobody here wrote.

Each module in this package scores one data set and returns :class:`Metric`
rows; ``ketamine-tracker evaluate`` prints them as one table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Metric:
    dataset: str  # "psynamic", "ade-corpus-v2", "bc5cdr", "studytypeteller"
    field: str  # "design", "conditions", "adverse_events", ...
    metric: str  # "macro_f1", "accuracy", "recall", "false_positive_rate", ...
    value: float
    n: int  # items scored
    reference: float | None = None  # published baseline to beat (e.g. PsyNamic's BERT F1)
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)
