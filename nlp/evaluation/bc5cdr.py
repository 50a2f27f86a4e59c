"""Adverse-event extraction scored on BioCreative V CDR (chemical-induced disease).

Data: ``bc5cdr/`` under the shared data directory, PubTator format (Li et al.
2016, Database baw068; Wei et al. 2016): title/abstract lines, mention lines
``PMID<TAB>start<TAB>end<TAB>text<TAB>Chemical|Disease<TAB>MeSH`` and
relation lines ``PMID<TAB>CID<TAB>chemical MeSH<TAB>disease MeSH``. Only the
training and development files are read (the test file is held out).
Documents are ``title + " " + abstract`` as in PubTator, so gold offsets
apply directly.

Figures:

* ketamine (MeSH D007649) relations, per abstract that mentions ketamine:
  the gold set is the canonical lexicon terms of the mention texts of each
  disease in a ketamine CID relation (MeSH ids mapped to our terms through
  their annotated names); the predicted set is the canonical terms of our
  non-negated mentions. ``ketamine_cid_recall`` = found gold terms / gold
  terms; ``ketamine_cid_precision`` = predicted terms that are gold terms /
  predicted terms (our extractor does not link an event to a drug, so events
  of co-administered drugs count against precision); ``ketamine_cid_in_lexicon``
  = share of ketamine CID diseases whose names map to the lexicon;
* ``cid_mention_recall_in_lexicon``: over all abstracts, every mention of a
  CID disease whose text maps to a lexicon term; found when a non-negated
  extracted mention overlaps it;
* ``cid_mention_precision``: extracted non-negated mentions that overlap a
  mention of a CID disease of that abstract, over all extracted mentions
  (mentions of the treated condition or of non-drug events count as errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nlp.evaluation import Metric

DATASET = "bc5cdr"
KETAMINE = "D007649"
FILES = ("CDR_TrainingSet.PubTator.txt", "CDR_DevelopmentSet.PubTator.txt")


@dataclass
class Abstract:
    """One PubTator document: text, mentions (start, end, text, type, MeSH) and CID pairs."""

    pmid: str
    title: str = ""
    abstract: str = ""
    mentions: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    cid: set[tuple[str, str]] = field(default_factory=set)

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def parse_pubtator(path: Path) -> list[Abstract]:
    """Documents of a PubTator file.

    Parameters
    ----------
    path : Path

    Returns
    -------
    list[Abstract]
    """
    docs: dict[str, Abstract] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            if "|t|" in line[:20]:
                pmid, _, title = line.split("|", 2)
                docs.setdefault(pmid, Abstract(pmid)).title = title
            elif "|a|" in line[:20]:
                pmid, _, abstract = line.split("|", 2)
                docs.setdefault(pmid, Abstract(pmid)).abstract = abstract
            else:
                parts = line.split("\t")
                doc = docs.setdefault(parts[0], Abstract(parts[0]))
                if len(parts) >= 4 and parts[1] == "CID":
                    doc.cid.add((parts[2], parts[3]))
                elif len(parts) >= 6:
                    for mesh in parts[5].split("|"):
                        doc.mentions.append((int(parts[1]), int(parts[2]), parts[3], parts[4], mesh))
    return list(docs.values())


def evaluate(data_dir: Path, nlp=None) -> list[Metric]:
    """Score AE extraction on BC5CDR training + development abstracts.

    Parameters
    ----------
    data_dir : Path
        The shared data directory (holding ``bc5cdr/``).
    nlp : Language, optional
        Pipeline (default :func:`nlp.adverse_events.pipeline.project_pipeline`).

    Returns
    -------
    list[Metric]
        Empty when the data set is absent.
    """
    from nlp.adverse_events import canonical_terms, extract_adverse_events
    from nlp.adverse_events.pipeline import project_pipeline

    root = Path(data_dir) / "bc5cdr"
    paths = [root / f for f in FILES if (root / f).exists()]
    if not paths:
        return []
    nlp = nlp or project_pipeline()
    docs = [d for p in paths for d in parse_pubtator(p)]

    k_gold = k_found = k_pred = k_pred_ok = k_dis = k_dis_lex = n_ket_docs = 0
    m_gold = m_found = x_all = x_ok = 0
    for doc_data, doc in zip(docs, nlp.pipe([d.text for d in docs], batch_size=16)):
        events = [e for e in extract_adverse_events(doc) if not e["negated"]]
        cid_diseases = {dis for _, dis in doc_data.cid}
        cid_mentions = [(s, e, t) for s, e, t, typ, mesh in doc_data.mentions if typ == "Disease" and mesh in cid_diseases]
        for s, e, t in cid_mentions:
            if canonical_terms(t):
                m_gold += 1
                m_found += any(ev["start"] < e and s < ev["end"] for ev in events)
        for ev in events:
            x_all += 1
            x_ok += any(ev["start"] < e and s < ev["end"] for s, e, _ in cid_mentions)
        if not any(typ == "Chemical" and mesh == KETAMINE for *_, typ, mesh in doc_data.mentions):
            continue
        n_ket_docs += 1
        ket_diseases = {dis for chem, dis in doc_data.cid if chem == KETAMINE}
        gold: set[str] = set()
        for dis in ket_diseases:
            names = {t for _, _, t, typ, mesh in doc_data.mentions if typ == "Disease" and mesh == dis}
            terms = set().union(*(canonical_terms(n) for n in names)) if names else set()
            k_dis += 1
            k_dis_lex += bool(terms)
            gold |= terms
        pred = {ev["term"] for ev in events}
        k_gold += len(gold)
        k_found += len(gold & pred)
        k_pred += len(pred)
        k_pred_ok += len(pred & gold)
    return [
        Metric(DATASET, "adverse_events_ketamine", "recall", k_found / k_gold if k_gold else 0.0, k_gold, None,
               f"canonical terms of ketamine CID diseases in {n_ket_docs} ketamine abstracts"),
        Metric(DATASET, "adverse_events_ketamine", "precision", k_pred_ok / k_pred if k_pred else 0.0, k_pred, None,
               "our terms that are ketamine CID diseases; events of other drugs count as errors"),
        Metric(DATASET, "adverse_events_ketamine", "lexicon_coverage", k_dis_lex / k_dis if k_dis else 0.0, k_dis, None,
               "ketamine CID diseases whose names map to the lexicon"),
        Metric(DATASET, "adverse_events", "cid_mention_recall_in_lexicon", m_found / m_gold if m_gold else 0.0, m_gold, None,
               "mentions of CID diseases whose text is in the lexicon, all abstracts"),
        Metric(DATASET, "adverse_events", "cid_mention_precision", x_ok / x_all if x_all else 0.0, x_all, None,
               "our mentions overlapping a CID disease mention; the treated condition counts as an error"),
    ]
