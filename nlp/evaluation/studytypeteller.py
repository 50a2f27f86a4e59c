"""Evaluation against StudyTypeTeller's study-type labels.

Data: ``studytypeteller/full_combined_dataset_1996.csv`` under the shared data
directory (Ineichen Group, github.com/Ineichen-Group/StudyTypeTeller): PubMed
abstracts from CNS/psychiatry MeSH searches labelled by hand. Titles and
abstracts only (no publication types or MeSH), so the text rules decide.

Scored as one-vs-rest F1 per design, with this mapping:

* rct: Human-RCT-drug-intervention, Human-RCT-non-drug-intervention,
  Human-RCT-non-intervention (the headline figure; the brief's "RCT vs not");
* review (systematic): Human-systematic-review vs our review with a
  systematic/meta-analysis detail;
* case_report: Human-case-report;
* preclinical: Animal-drug-intervention, Animal-other, In-vitro-study;
* protocol: Clinical-study-protocol.

No published per-class F1 of this binary split is used as reference.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from . import Metric
from .scoring import prf

DATASET = "studytypeteller"
FILE = ("studytypeteller", "full_combined_dataset_1996.csv")

GOLD = {
    "rct": lambda lab: lab.startswith("Human-RCT"),
    "systematic_review": lambda lab: lab == "Human-systematic-review",
    "case_report": lambda lab: lab == "Human-case-report",
    "preclinical": lambda lab: lab.startswith("Animal-") or lab == "In-vitro-study",
    "protocol": lambda lab: lab == "Clinical-study-protocol",
}
PRED = {
    "rct": lambda r: r["design"] == "rct",
    "systematic_review": lambda r: r["design"] == "review" and r.get("design_detail") in ("systematic_review", "meta_analysis"),
    "case_report": lambda r: r["design"] == "case_report",
    "preclinical": lambda r: r["design"] == "preclinical",
    "protocol": lambda r: r["design"] == "protocol",
}


def load(data_dir: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with open(Path(data_dir).joinpath(*FILE), newline="", encoding="utf-8") as fh:
        return [
            {"pmid": int(r["pmid"]), "title": r["title"], "abstract": (r["abstract"] or "").replace("\t", "\n"), "label": r["accepted_label"]}
            for r in csv.DictReader(fh)
        ]


def score(items: list[dict], preds: list[dict]) -> tuple[list[Metric], dict]:
    metrics, errors = [], {}
    for name, gold_fn in GOLD.items():
        pred_fn = PRED[name]
        tp = fp = fn = 0
        errs = []
        for it, p in zip(items, preds):
            g, q = gold_fn(it["label"]), pred_fn(p)
            tp += g and q
            fp += (not g) and q
            fn += g and not q
            if g != q:
                errs.append((it["pmid"], it["label"], p["design"], p.get("design_detail"), it["title"]))
        pr, rc, f1 = prf(tp, fp, fn)
        metrics.append(Metric(DATASET, f"design_{name}", "f1", f1, len(items), None, f"one-vs-rest; precision {pr:.2f} recall {rc:.2f}; {tp + fn} positives"))
        errors[name] = errs
    return metrics, errors


def evaluate(data_dir: Path, nlp=None) -> list[Metric]:
    """Score the design classifier on StudyTypeTeller (empty list if the data is absent)."""
    path = Path(data_dir).joinpath(*FILE)
    if not path.exists():
        return []
    from ..extract import extract_article

    items = load(Path(data_dir))
    preds = [extract_article(it["pmid"], it["title"], it["abstract"], nlp=nlp) for it in items]
    return score(items, preds)[0]
