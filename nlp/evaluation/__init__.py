"""Evaluation of the extractor against labelled data nobody here wrote.

Each module in this package scores one data set and returns :class:`Metric`
rows; ``ketamine-tracker evaluate`` prints them as one table. A row may carry
a confidence interval (``low``/``high``, e.g. a percentile bootstrap) and the
part of the data set it was measured on (``subset``).
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
    low: float | None = None  # lower end of the 95% interval of ``value`` (None: not computed)
    high: float | None = None  # upper end of the same interval
    subset: str = ""  # part of the data set scored ("all", "even (tuning)", ...; "" = the whole set)

    def as_dict(self) -> dict:
        return asdict(self)
