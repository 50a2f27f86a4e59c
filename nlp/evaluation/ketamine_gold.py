"""Extraction scored on the ketamine development gold set.

Data: ``ketamine-gold-dev/gold_dev.jsonl`` under the shared data directory:
150 ketamine/esketamine abstracts of PsyNamic's developer part, labelled by two
annotators following the set's ``GUIDELINES.md`` in the tracker's own
vocabulary (design, sample size, efficacy direction, serious AE, conditions,
routes, adverse events reported and negated). Records carry ``id``, ``title``
and ``abstract`` only (no publication types or MeSH), so the text rules decide.

Scoring (the set's README; it agrees with the set's reference scorer on the
same predictions):

* single-valued fields (``design``, ``sample_size``, ``efficacy_direction``,
  ``serious_ae``): accuracy; the gold value or any value of the record's
  ``accept[field]`` (the other annotator's answer) counts as right; a
  missing ``serious_ae`` prediction counts as ``unstated``;
* list fields (``conditions``, ``routes``, ``ae_reported``, ``ae_negated``):
  micro precision, recall and F1 over all abstracts (Sokolova & Lapalme 2009);
  items in ``optional[field]`` (given by one annotator only) are neither
  required nor penalised. Precision with no prediction and recall with no gold
  item are 1.0 (nothing wrong claimed / nothing missed), as in the reference
  scorer. Adverse-event names are compared lower-cased with blanks collapsed.
* an extracted adverse event counts as *reported* when its ``status`` is
  ``occurred``, as *negated* when it is ``not_occurred``, and as neither for
  any other status (``planned``, ``background``, ``other_drug``); an entry
  without ``status`` falls back to its ``negated`` flag.

Every figure carries a 95% percentile bootstrap interval: the abstracts are
resampled with replacement (1,000 resamples, fixed seed) and the figure is
recomputed on each resample (Efron & Tibshirani 1993, *An Introduction to the
Bootstrap*, ch. 13). Figures are given for all abstracts and for each half:
the rules are tuned on the even ids (``int(id) % 2 == 0``), the odd ids are
held back, so the odd half is the fairer estimate for unseen abstracts.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from db.models import AE_NOT_OCCURRED, AE_OCCURRED, ae_status

from . import Metric

DATASET = "ketamine-gold-dev"
GOLD_FILE = Path("ketamine-gold-dev") / "gold_dev.jsonl"

SCALARS = ("design", "sample_size", "efficacy_direction", "serious_ae")
SETS = ("conditions", "routes", "ae_reported", "ae_negated")
FIELDS = SCALARS + SETS


ALL, EVEN, ODD = "all", "even (tuning)", "odd (held back)"
RESAMPLES = 1000
SEED = 13
LEVEL = 0.95


# -- data ---------------------------------------------------------------------------------------


def load(data_dir: Path) -> list[dict]:
    """The gold records (empty when the data set is absent).

    Parameters
    ----------
    data_dir : Path
        The shared data directory (holding ``ketamine-gold-dev/``).

    Returns
    -------
    list[dict]
        One record per abstract, as in ``gold_dev.jsonl``.
    """
    path = Path(data_dir) / GOLD_FILE
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(records: Sequence[dict], nlp=None) -> list[dict]:
    """The extractor's result for every record (``extract_article(int(id), title, abstract)``).

    Parameters
    ----------
    records : sequence of dict
        Gold records (``id``, ``title``, ``abstract``).
    nlp : Language, optional
        Pipeline to use (default: the process-wide one).

    Returns
    -------
    list[dict]
        One extraction per record, in the same order.
    """
    from ..extract import extract_article

    return [extract_article(int(r["id"]), r.get("title"), r.get("abstract"), nlp=nlp) for r in records]


def half(record_id) -> str:
    """``EVEN`` (tuning half) or ``ODD`` (held-back half) of a record id."""
    return EVEN if int(record_id) % 2 == 0 else ODD


# -- one abstract ------------------------------------------------------------------------------


def ae_term(term: str) -> str:
    """An adverse-event name as compared: lower case, blanks collapsed."""
    return re.sub(r"\s+", " ", str(term).strip().lower())


def ae_sets(adverse_events: Sequence[dict]) -> tuple[set[str], set[str]]:
    """(reported, negated) adverse-event names of an extraction.

    Parameters
    ----------
    adverse_events : sequence of dict
        The extraction's ``adverse_events`` entries (``term``, ``negated``,
        optionally ``status``).

    Returns
    -------
    (set[str], set[str])
        Reported names (status ``occurred``, or no status and not negated) and
        negated names (status ``not_occurred``, or no status and negated).
        Other statuses count as neither.
    """
    reported, negated = set(), set()
    for ae in adverse_events or ():
        status = ae_status(ae)  # an entry without a status: from its negated flag, as stored
        if status == AE_OCCURRED:
            reported.add(ae_term(ae["term"]))
        elif status == AE_NOT_OCCURRED:
            negated.add(ae_term(ae["term"]))
    return reported, negated


def predicted(pred: dict) -> dict:
    """The eight scored fields of one extraction.

    Parameters
    ----------
    pred : dict
        Output of :func:`nlp.extract.extract_article`.

    Returns
    -------
    dict
        Scalars as values (``serious_ae`` None -> ``unstated``), list fields as sets.
    """
    reported, negated = ae_sets(pred.get("adverse_events") or ())
    return {
        "design": pred.get("design"),
        "sample_size": pred.get("sample_size"),
        "efficacy_direction": pred.get("efficacy_direction"),
        "serious_ae": pred.get("serious_ae") or "unstated",
        "conditions": set(pred.get("conditions") or ()),
        "routes": set(pred.get("routes") or ()),
        "ae_reported": reported,
        "ae_negated": negated,
    }


def _gold_set(record: dict, field: str, key: str | None = None) -> set:
    values = record.get(field) if key is None else (record.get(key) or {}).get(field)
    return {ae_term(v) if field.startswith("ae_") else v for v in values or ()}


def compare(record: dict, pred: dict) -> dict:
    """How one extraction fares on one gold record, field by field.

    Parameters
    ----------
    record : dict
        Gold record.
    pred : dict
        Output of :func:`predicted` (or of ``extract_article``; it is
        converted).

    Returns
    -------
    dict
        ``{field: correct (bool)}`` for scalars and ``{field: (tp, fp, fn)}``
        for list fields (optional items neither count as fp nor fn).
    """
    if "ae_reported" not in pred:
        pred = predicted(pred)
    out: dict = {}
    for field in SCALARS:
        accepted = [record.get(field), *((record.get("accept") or {}).get(field) or ())]
        out[field] = pred[field] in accepted
    for field in SETS:
        want, optional, got = _gold_set(record, field), _gold_set(record, field, "optional"), pred[field]
        out[field] = (len(got & want), len(got - want - optional), len(want - got))
    return out


# -- figures -----------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def figures(outcomes: Sequence[dict]) -> dict[tuple[str, str], float]:
    """Point figures of a list of per-abstract outcomes.

    Parameters
    ----------
    outcomes : sequence of dict
        Results of :func:`compare`, one per abstract.

    Returns
    -------
    dict
        ``{(field, metric): value}``: ``accuracy`` for scalars, micro
        ``precision``/``recall``/``f1`` for list fields.
    """
    out = {}
    n = len(outcomes)
    for field in SCALARS:
        out[(field, "accuracy")] = sum(o[field] for o in outcomes) / n if n else 0.0
    for field in SETS:
        tp = sum(o[field][0] for o in outcomes)
        fp = sum(o[field][1] for o in outcomes)
        fn = sum(o[field][2] for o in outcomes)
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        out[(field, "precision")], out[(field, "recall")] = p, r
        out[(field, "f1")] = 2 * p * r / (p + r) if p + r else 0.0
    return out


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-quantile of sorted bootstrap replicates: the ceil(q*B)-th value (1-based)."""
    b = len(sorted_values)
    k = min(b, max(1, math.ceil(q * b - 1e-9)))  # 1e-9: 0.975 * 1000 is 975, not the 976th value
    return sorted_values[k - 1]


def bootstrap(outcomes: Sequence[dict], resamples: int = RESAMPLES, seed: int = SEED,
              level: float = LEVEL) -> dict[tuple[str, str], tuple[float, float]]:
    """Percentile bootstrap intervals of every figure, resampling abstracts.

    Each replicate draws ``len(outcomes)`` abstracts with replacement and
    recomputes :func:`figures`; the interval is the (1-level)/2 and
    (1+level)/2 percentiles of the replicates (Efron & Tibshirani 1993,
    ch. 13). The same resamples serve every field.

    Parameters
    ----------
    outcomes : sequence of dict
        Results of :func:`compare`.
    resamples : int
        Number of bootstrap replicates B.
    seed : int
        Seed of the resampling (the same seed gives the same intervals).
    level : float
        Coverage of the interval.

    Returns
    -------
    dict
        ``{(field, metric): (low, high)}`` (empty when ``outcomes`` is).
    """
    n = len(outcomes)
    if not n:
        return {}
    rng = random.Random(seed)
    replicates: dict[tuple[str, str], list[float]] = {}
    for _ in range(resamples):
        sample = [outcomes[rng.randrange(n)] for _ in range(n)]
        for key, value in figures(sample).items():
            replicates.setdefault(key, []).append(value)
    alpha = (1 - level) / 2
    out = {}
    for key, values in replicates.items():
        values.sort()
        out[key] = (percentile(values, alpha), percentile(values, 1 - alpha))
    return out


def _note(field: str, outcomes: Sequence[dict]) -> str:
    if field in SETS:
        tp, fp, fn = (sum(o[field][i] for o in outcomes) for i in range(3))
        return f"micro over abstracts: tp {tp} fp {fp} fn {fn}; optional items ignored"
    ok = sum(o[field] for o in outcomes)
    return f"{ok} of {len(outcomes)} right; gold or accepted answer"


def score(records: Sequence[dict], preds: Sequence[dict], resamples: int = RESAMPLES,
          seed: int = SEED) -> list[Metric]:
    """Metric rows with bootstrap intervals for all abstracts and each half.

    Parameters
    ----------
    records : sequence of dict
        Gold records.
    preds : sequence of dict
        Extractions in the same order (``extract_article`` output).
    resamples, seed : int
        Bootstrap replicates and seed (see :func:`bootstrap`).

    Returns
    -------
    list of Metric
        Per subset ``all``, ``even (tuning)``, ``odd (held back)``: accuracy
        of each scalar field, precision/recall/F1 of each list field; ``n`` is
        the number of abstracts.
    """
    assert len(records) == len(preds)
    outcomes = [compare(r, p) for r, p in zip(records, preds)]
    subsets: list[tuple[str, Callable[[dict], bool]]] = [
        (ALL, lambda r: True), (EVEN, lambda r: half(r["id"]) == EVEN), (ODD, lambda r: half(r["id"]) == ODD)]
    rows: list[Metric] = []
    for subset, keep in subsets:
        chosen = [o for r, o in zip(records, outcomes) if keep(r)]
        if not chosen:
            continue
        point = figures(chosen)
        ci = bootstrap(chosen, resamples, seed)
        for (field, metric), value in point.items():
            low, high = ci[(field, metric)]
            rows.append(Metric(DATASET, field, metric, value, len(chosen), None, _note(field, chosen),
                               low=low, high=high, subset=subset))
    return rows


def evaluate(data_dir: Path, nlp=None) -> list[Metric]:
    """Score the extractor on the ketamine development gold set.

    Parameters
    ----------
    data_dir : Path
        The shared data directory (holding ``ketamine-gold-dev/``).
    nlp : Language, optional
        Pipeline to use.

    Returns
    -------
    list of Metric
        Empty when the data set is absent.
    """
    records = load(data_dir)
    if not records:
        return []
    return score(records, predict(records, nlp))


# -- error lists for development -----------------------------------------------------------------


def _sentences(text: str, spans: Sequence[dict], kind: str, labels: set | None = None) -> list[str]:
    out: list[str] = []
    for s in spans:
        if s.get("kind") == kind and (labels is None or s.get("label") in labels):
            sentence = text[s["sentence_start"]:s["sentence_end"]].strip()
            if sentence and sentence not in out:
                out.append(sentence)
    return out


def evidence(field: str, record: dict, pred: dict, items: set | None = None) -> list[str]:
    """Sentences behind an extraction's value of ``field`` (empty when none).

    Parameters
    ----------
    field : str
        One of :data:`FIELDS`.
    record : dict
        Gold record (its title and abstract give the text the spans point into).
    pred : dict
        Output of ``extract_article``.
    items : set, optional
        For list fields: the items in question (missing or extra); the
        sentences of these items are given, each adverse event with its status.

    Returns
    -------
    list[str]
    """
    from db.text import document_text

    text = document_text(record.get("title"), record.get("abstract"))
    spans = pred.get("spans") or ()
    if field == "design":
        return _sentences(text, spans, "design")
    if field == "sample_size":
        return [pred["sample_size_sentence"]] if pred.get("sample_size_sentence") else []
    if field in ("conditions", "routes"):
        kind = "condition" if field == "conditions" else "route"
        return _sentences(text, spans, kind, items) or _sentences(text, spans, kind)
    if field in ("ae_reported", "ae_negated"):
        out = []
        for ae in pred.get("adverse_events") or ():
            if items is None or ae_term(ae["term"]) in items:
                status = ae.get("status") or ("negated" if ae.get("negated") else "not negated")
                out.append(f"[{ae['term']}: {status}] {ae.get('sentence', '')}".strip())
        return out
    if field == "efficacy_direction":
        out = []
        for o in pred.get("outcomes") or ():
            line = f"[{o.get('measure')}: {o.get('direction')}] {o.get('sentence', '')}"
            if o.get("direction") and line not in out:
                out.append(line)
        return out
    if field == "serious_ae":
        return [text[max(0, m.start() - 120):m.end() + 120].replace("\n", " ")
                for m in re.finditer(r"\bserious\b|\bSAEs?\b", text, re.I)]
    raise ValueError(f"unknown field {field!r}; one of {', '.join(FIELDS)}")


def errors(records: Sequence[dict], preds: Sequence[dict], field: str, subset: str = EVEN) -> list[dict]:
    """The abstracts an extraction gets wrong on ``field``, for error analysis.

    Parameters
    ----------
    records : sequence of dict
        Gold records.
    preds : sequence of dict
        ``extract_article`` output in the same order.
    field : str
        One of :data:`FIELDS`.
    subset : str
        ``EVEN`` (default: the tuning half, so the held-back half stays
        unread), ``ODD`` or ``ALL``.

    Returns
    -------
    list[dict]
        ``id``, ``half``, ``gold``, ``predicted``, ``accept`` (scalars) or
        ``missing``/``extra``/``optional`` (list fields), and ``evidence``.
    """
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}; one of {', '.join(FIELDS)}")
    out = []
    for record, pred in zip(records, preds):
        if subset != ALL and half(record["id"]) != subset:
            continue
        got = predicted(pred)[field]
        row = {"id": str(record["id"]), "half": half(record["id"])}
        if field in SCALARS:
            if compare(record, pred)[field]:
                continue
            row.update(gold=record.get(field), accept=(record.get("accept") or {}).get(field) or [], predicted=got,
                       evidence=evidence(field, record, pred))
        else:
            want, optional = _gold_set(record, field), _gold_set(record, field, "optional")
            missing, extra = want - got, got - want - optional
            if not missing and not extra:
                continue
            row.update(gold=sorted(want), predicted=sorted(got), missing=sorted(missing), extra=sorted(extra),
                       optional=sorted(optional), evidence=evidence(field, record, pred, missing | extra))
        out.append(row)
    return out


def format_errors(rows: Sequence[dict], field: str) -> str:
    """An error list as plain text: one block per abstract."""
    lines = [f"# {field}: {len(rows)} abstract(s) wrong"]
    for row in rows:
        head = f"{row['id']} [{row['half']}] gold={row['gold']!r} predicted={row['predicted']!r}"
        if row.get("accept"):
            head += f" accept={row['accept']!r}"
        if "missing" in row:
            head += f" missing={row['missing']} extra={row['extra']}"
            if row["optional"]:
                head += f" optional={row['optional']}"
        lines.append(head)
        lines.extend(f"    {e}" for e in row["evidence"] or ["(no evidence sentence)"])
    return "\n".join(lines) + "\n"
