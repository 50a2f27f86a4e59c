"""Evaluation against PsyNamic's hand-annotated ketamine abstracts.

Data: ``psynamic/`` under the shared data directory (Ineichen Group, University
of Zurich; github.com/Ineichen-Group/PsyNamic, training_round2). Only the
abstracts listed in ``derived_ketamine_studies.csv`` (labelled Ketamine,
S-Ketamine or R-Ketamine) are scored. Texts are "Title.^\\nAbstract" and carry no
publication types or MeSH, so every field is decided by the text rules.

Label mapping (PsyNamic -> tracker), documented in docs and in each Metric note:

* study type: RCT -> rct; Cohort study, Real-world study, Qualitative Study ->
  observational; Study protocol -> protocol; Systematic review/meta-analysis ->
  systematic review; Case report, Case series -> case_report; Other -> other.
  Ours: rct -> rct except secondary/post-hoc analyses of trials (PsyNamic calls
  those Other); review -> systematic review when systematic or a meta-analysis,
  narrative reviews -> other; non_randomized_trial, preclinical, other -> other.
  This agrees with PsyNamic's own study-type definitions (the annotation
  guide quoted in their zero-shot prompts): an RCT is randomised and
  controlled; a systematic review/meta-analysis names itself so and pools
  published studies ("pooling of different RCTs" is Other); cohort,
  real-world (population, survey, emergency-visit data) and qualitative
  studies are our observational.
* condition: Depression -> depression; (Chronic) Pain -> pain (our migraine
  also counts as pain: PsyNamic has no headache label). Their other labels
  (anxiety, PTSD, healthy participants...) are not scored.
* number of participants: our exact ``sample_size`` is put into THEIR bands
  (label_options.tsv options 30-40: 1-20, 21-40, 41-60, 61-80, 81-100, 100-199,
  200-499, 500-999, >=1000); None -> "Not applicable" for reviews and
  preclinical designs, else "Unknown". The class numbers of
  number_of_participants.csv index the band names in sorted order (see
  :func:`participant_bands`), not in option order.
* application form: intravenous -> Intravenous, intranasal -> Nasal, oral ->
  Oral, subcutaneous -> Subcutaneous, intramuscular/neuraxial/sublingual/other
  -> Other; no route -> none (gold Unknown / Not applicable -> none).
* study conclusion vs efficacy_direction (the adverse-event/outcome helper's
  field): positive -> Positive, negative -> Negative, null -> Neutral, mixed
  -> Mixed, not_applicable/unstated -> Unknown (their Unknown and Not
  Applicable are merged into one "unknown" class). A review's verdict is
  compared as Unknown: PsyNamic's annotators leave most reviews' conclusion
  Unknown (22 of the 28 ketamine reviews), while the tracker, like the
  ketamine gold guidelines, reads a review of efficacy for its verdict.

References: the PsyNamic fine-tuned BERT classifiers' F1 on their own test split
(study type 0.87, condition 0.93, participants 0.92, application form 0.85,
conclusion 0.81).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from . import Metric
from .scoring import multi_label, single_label

DATASET = "psynamic"
REFERENCE = {"design": 0.87, "conditions": 0.93, "participants": 0.92, "routes": 0.85, "efficacy_direction": 0.81}

STUDY_TYPE_MAP = {
    "Randomized-controlled trial (RCT)": "rct",
    "Cohort study": "observational",
    "Real-world study": "observational",
    "Qualitative Study": "observational",
    "Study protocol": "protocol",
    "Systematic review/meta-analysis": "systematic_review",
    "Case report": "case_report",
    "Case series": "case_report",
    "Other": "other",
}
ROUTE_MAP = {
    "intravenous": "Intravenous",
    "intranasal": "Nasal",
    "oral": "Oral",
    "subcutaneous": "Subcutaneous",
    "intramuscular": "Other",
    "neuraxial": "Other",
    "sublingual": "Other",
    "other": "Other",
}
ROUTE_LABELS = ("Oral", "Nasal", "Intravenous", "Subcutaneous", "Other", "none")
CONCLUSION_MAP = {"positive": "Positive", "negative": "Negative", "null": "Neutral", "mixed": "Mixed"}
BANDS = ((1, 20, "1-20"), (21, 40, "21-40"), (41, 60, "41-60"), (61, 80, "61-80"), (81, 100, "81-100"),
         (101, 199, "100-199"), (200, 499, "200-499"), (500, 999, "500-999"))


def _read(path: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _onehot(path: Path, ids: set[str]) -> dict[str, tuple[str, set[str]]]:
    """id -> (text, set of labels set to 1)."""
    out = {}
    for row in _read(path):
        if row["id"] not in ids:
            continue
        labels = {k for k, v in row.items() if k not in ("id", "text", "annotator", "source_file") and v == "1"}
        out[row["id"]] = (row["text"], labels)
    return out


def participant_bands(data_dir: Path) -> list[str]:
    """Band labels of number_of_participants.csv classes 0..10.

    The band names come from label_options.tsv; the class index is the
    position of the name in code-point order (a label encoder's sorted
    classes: "1-20", "100-199", "200-499", "21-40", ... "Unknown", "≥1000"),
    NOT the option order. The option order stated in the data's PROVENANCE
    is contradicted by the texts: class 3 abstracts report 21-40 participants,
    class 1 ones 100-199 (see docs/evaluation.md).
    """
    labels = []
    with open(data_dir / "psynamic" / "training_round2" / "label_options.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) == 2 and row[1].startswith("Number of Participants: "):
                labels.append(row[1].split(": ", 1)[1])
    return sorted(labels)


def band(sample_size: int | None, design: str) -> str:
    """PsyNamic participant band of an exact sample size."""
    if sample_size is None:
        return "Not applicable" if design in ("review", "preclinical") else "Unknown"
    for lo, hi, name in BANDS:
        if lo <= sample_size <= hi:
            return name
    return "≥1000" if sample_size >= 1000 else "Unknown"


def split_text(text: str) -> tuple[str, str]:
    """PsyNamic's "Title.^\\nAbstract" -> (title, abstract).

    The separator is a caret followed by a line break, written in the CSV either
    as a real newline or as the two characters backslash-n.
    """
    for sep in ("^\n", "^\\n"):
        if sep in text:
            t, a = text.split(sep, 1)
            return t.strip(), a.replace("\\n", "\n").strip()
    return text.strip(), ""


def design_label(result: dict) -> str:
    d, detail = result["design"], result.get("design_detail")
    if d == "rct":
        return "other" if detail == "secondary_analysis" else "rct"
    if d == "review":
        return "systematic_review" if detail in ("systematic_review", "meta_analysis") else "other"
    if d in ("protocol", "case_report", "observational"):
        return d
    return "other"


def load(data_dir: Path) -> list[dict]:
    """The ketamine abstracts with their gold labels (empty if data absent)."""
    root = data_dir / "psynamic"
    tr = root / "training_round2"
    ket = {r["id"] for r in _read(root / "derived_ketamine_studies.csv")}
    st = _onehot(tr / "onehot_study_type.csv", ket)
    cond = _onehot(tr / "onehot_condition.csv", ket)
    form = _onehot(tr / "onehot_application_form.csv", ket)
    concl = _onehot(tr / "onehot_study_conclusion.csv", ket)
    bands = participant_bands(data_dir)
    part = {r["id"]: bands[int(r["Number of Participants"])] for r in _read(tr / "number_of_participants.csv") if r["id"] in ket}
    items = []
    for id_, (text, types) in st.items():
        title, abstract = split_text(text)
        items.append({
            "id": id_,
            "title": title,
            "abstract": abstract,
            "study_type": {STUDY_TYPE_MAP[t] for t in types},
            "conditions": cond[id_][1] if id_ in cond else None,
            "form": form[id_][1] if id_ in form else None,
            "conclusion": concl[id_][1] if id_ in concl else None,
            "participants": part.get(id_),
        })
    return items


def predict(items: list[dict], nlp=None) -> list[dict]:
    from ..extract import extract_article

    return [extract_article(None, it["title"], it["abstract"], nlp=nlp) for it in items]


def score(items: list[dict], preds: list[dict]) -> tuple[list[Metric], dict]:
    """Metric rows plus per-item comparisons (for error analysis)."""
    metrics: list[Metric] = []
    errors: dict[str, list] = {"design": [], "conditions": [], "participants": [], "routes": [], "efficacy_direction": []}

    gold, pred = [], []
    for it, p in zip(items, preds):
        ours = design_label(p)
        g = ours if ours in it["study_type"] else sorted(it["study_type"])[0]
        gold.append(g)
        pred.append(ours)
        if g != ours:
            errors["design"].append((it["id"], g, ours, p.get("design_detail"), it["title"]))
    s = single_label(gold, pred)
    note = "PsyNamic study type mapped to rct/observational/protocol/systematic_review/case_report/other; macro over gold labels"
    metrics.append(Metric(DATASET, "design", "macro_f1", s["macro_f1"], len(gold), REFERENCE["design"], note))
    metrics.append(Metric(DATASET, "design", "weighted_f1", s["weighted_f1"], len(gold), None, "support-weighted F1 of the same mapping"))
    metrics.append(Metric(DATASET, "design", "accuracy", s["accuracy"], len(gold), None, ""))
    rct = s["per_label"].get("rct")
    if rct:
        metrics.append(Metric(DATASET, "design_rct", "f1", rct[2], len(gold), None, "RCT vs rest"))

    g_sets, p_sets = [], []
    for it, p in zip(items, preds):
        if it["conditions"] is None:
            continue
        g = set()
        if "Depression" in it["conditions"]:
            g.add("depression")
        if "(Chronic) Pain" in it["conditions"]:
            g.add("pain")
        ours = {"depression"} & set(p["conditions"]) | ({"pain"} if {"pain", "migraine"} & set(p["conditions"]) else set())
        g_sets.append(g)
        p_sets.append(ours)
        if g != ours:
            errors["conditions"].append((it["id"], sorted(g), sorted(ours), it["title"]))
    m = multi_label(g_sets, p_sets, ("depression", "pain"))
    metrics.append(Metric(DATASET, "conditions", "micro_f1", m["micro_f1"], len(g_sets), REFERENCE["conditions"], "Depression and (Chronic) Pain labels; our migraine counts as pain"))
    for lab in ("depression", "pain"):
        pr = m["per_label"][lab]
        metrics.append(Metric(DATASET, f"conditions_{lab}", "f1", pr[2], pr[3], None, f"precision {pr[0]:.2f} recall {pr[1]:.2f} (n = gold positives)"))

    gold, pred = [], []
    for it, p in zip(items, preds):
        if it["participants"] is None:
            continue
        b = band(p["sample_size"] if p["sample_size"] is not None else p.get("pooled_participants"), p["design"])
        gold.append(it["participants"])
        pred.append(b)
        if b != it["participants"]:
            errors["participants"].append((it["id"], it["participants"], b, p["sample_size"], p["sample_size_basis"], p.get("sample_size_sentence"), it["title"]))
    s = single_label(gold, pred)
    metrics.append(Metric(DATASET, "sample_size_band", "accuracy", s["accuracy"], len(gold), None, "exact sample_size (a review's pooled_participants) put into PsyNamic's bands"))
    metrics.append(Metric(DATASET, "sample_size_band", "weighted_f1", s["weighted_f1"], len(gold), REFERENCE["participants"], "support-weighted F1 over their 11 bands"))
    metrics.append(Metric(DATASET, "sample_size_band", "macro_f1", s["macro_f1"], len(gold), None, ""))
    stated = [(g, q) for g, q in zip(gold, pred) if g not in ("Unknown", "Not applicable")]
    if stated:
        metrics.append(Metric(DATASET, "sample_size_band", "accuracy_when_stated", sum(g == q for g, q in stated) / len(stated), len(stated), None, "gold band is a number range"))

    g_sets, p_sets = [], []
    for it, p in zip(items, preds):
        if it["form"] is None:
            continue
        g = {f for f in it["form"] if f in ROUTE_LABELS} or {"none"}
        ours = {ROUTE_MAP[r] for r in p["routes"]} or {"none"}
        g_sets.append(g)
        p_sets.append(ours)
        if g != ours:
            errors["routes"].append((it["id"], sorted(g), sorted(ours), it["title"]))
    m = multi_label(g_sets, p_sets, ROUTE_LABELS)
    metrics.append(Metric(DATASET, "routes", "micro_f1", m["micro_f1"], len(g_sets), REFERENCE["routes"], "application form; no route = Unknown/Not applicable"))
    metrics.append(Metric(DATASET, "routes", "macro_f1", m["macro_f1"], len(g_sets), None, "over Oral/Nasal/Intravenous/Subcutaneous/Other/none"))

    gold, pred = [], []
    for it, p in zip(items, preds):
        if not it["conclusion"]:
            continue
        g = {c if c in ("Positive", "Negative", "Neutral", "Mixed") else "Unknown" for c in it["conclusion"]}
        # PsyNamic leaves most reviews' conclusion Unknown (22 of 28 ketamine reviews):
        # a review's verdict is compared as Unknown, as their convention does
        ours = "Unknown" if p["design"] == "review" else CONCLUSION_MAP.get(p["efficacy_direction"], "Unknown")
        gold.append(ours if ours in g else sorted(g)[0])
        pred.append(ours)
        if gold[-1] != ours:
            errors["efficacy_direction"].append((it["id"], sorted(g), p["efficacy_direction"], it["title"]))
    s = single_label(gold, pred)
    metrics.append(Metric(DATASET, "efficacy_direction", "weighted_f1", s["weighted_f1"], len(gold), REFERENCE["efficacy_direction"], "study conclusion; Unknown and Not Applicable merged"))
    metrics.append(Metric(DATASET, "efficacy_direction", "macro_f1", s["macro_f1"], len(gold), None, ""))
    metrics.append(Metric(DATASET, "efficacy_direction", "accuracy", s["accuracy"], len(gold), None, ""))
    return metrics, errors


def evaluate(data_dir: Path, nlp=None) -> list[Metric]:
    """Score the extractor on PsyNamic's ketamine abstracts.

    Parameters
    ----------
    data_dir : Path
        The shared data directory (holding ``psynamic/``).

    Returns
    -------
    list of Metric
        Empty when the data set is absent.
    """
    data_dir = Path(data_dir)
    if not (data_dir / "psynamic" / "derived_ketamine_studies.csv").exists():
        return []
    items = load(data_dir)
    metrics, _ = score(items, predict(items, nlp))
    return metrics
