"""Adverse-event extraction scored on ADE-Corpus-V2.

Data: ``ade-corpus-v2/`` under the shared data directory (Gurulingappa et
al. 2012, J Biomed Inform 45:885-892): ``DRUG-AE.rel`` (PMID|sentence|AE|
begin|end|drug|begin|end, offsets at document level) and ``ADE-NEG.txt``
("PMID NEG sentence"), sentences from case reports about many drugs.

Each sentence is processed on its own. An annotated AE is *found* when a
non-negated extracted mention overlaps its span in the sentence (character
overlap; the span is located by its text in the sentence, since the corpus
offsets refer to a document text that is not distributed). Figures:

* ``recall_all`` - over every distinct (sentence, AE span) pair. Most
  ADE-Corpus AEs (agranulocytosis, rhabdomyolysis, ...) are outside this
  lexicon, which targets ketamine's adverse-effect profile, so this figure
  mainly measures lexicon coverage;
* ``recall_in_lexicon`` - over the pairs whose annotated AE text maps to a
  canonical term of the lexicon (:func:`nlp.adverse_events.canonical_terms`):
  how well the context rules and negation keep real events;
* ``lexicon_coverage`` - the share of pairs in the lexicon;
* ``false_positive_rate`` - share of ADE-NEG sentences (no drug-related AE)
  with at least one non-negated extracted AE. These sentences often name the
  treated condition or a non-drug event, so some hits are genuine symptoms
  that simply are not drug-related.
"""

from __future__ import annotations

from pathlib import Path

from nlp.evaluation import Metric

DATASET = "ade-corpus-v2"


def load_relations(path: Path) -> list[tuple[str, str]]:
    """Distinct (sentence, AE text) pairs of ``DRUG-AE.rel``.

    Parameters
    ----------
    path : Path

    Returns
    -------
    list[tuple[str, str]]
    """
    pairs: dict[tuple[str, str], None] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("|")
            if len(parts) < 8:
                continue
            sentence, ae = "|".join(parts[1:-6]), parts[-6]
            pairs.setdefault((sentence, ae), None)
    return list(pairs)


def load_negative(path: Path) -> list[str]:
    """Sentences of ``ADE-NEG.txt`` (de-duplicated, in file order).

    Parameters
    ----------
    path : Path

    Returns
    -------
    list[str]
    """
    seen: dict[str, None] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and parts[1] == "NEG":
                seen.setdefault(parts[2], None)
    return list(seen)


def found(sentence: str, ae: str, events: list[dict]) -> bool:
    """Whether a non-negated event overlaps an occurrence of ``ae`` in ``sentence``.

    Parameters
    ----------
    sentence : str
    ae : str
        Annotated AE text.
    events : list[dict]
        :func:`nlp.adverse_events.extract_adverse_events` output for the sentence.

    Returns
    -------
    bool
    """
    spans = []
    start = sentence.find(ae)
    while start != -1:
        spans.append((start, start + len(ae)))
        start = sentence.find(ae, start + 1)
    if not spans:
        low = sentence.lower().find(ae.lower())
        if low != -1:
            spans.append((low, low + len(ae)))
    return any(not e["negated"] and e["start"] < b and a < e["end"] for e in events for a, b in spans)


def evaluate(data_dir: Path, nlp=None, limit: int | None = None) -> list[Metric]:
    """Score AE extraction on ADE-Corpus-V2.

    Parameters
    ----------
    data_dir : Path
        The shared data directory (holding ``ade-corpus-v2/``).
    nlp : Language, optional
        Pipeline to use (default :func:`nlp.adverse_events.pipeline.project_pipeline`).
    limit : int, optional
        Score only the first ``limit`` items of each file (for quick runs).

    Returns
    -------
    list[Metric]
        Empty when the data set is absent.
    """
    from nlp.adverse_events import canonical_terms, extract_adverse_events
    from nlp.adverse_events.pipeline import project_pipeline

    root = Path(data_dir) / "ade-corpus-v2"
    rel, neg = root / "DRUG-AE.rel", root / "ADE-NEG.txt"
    if not rel.exists() or not neg.exists():
        return []
    nlp = nlp or project_pipeline()
    pairs = load_relations(rel)[:limit]
    negatives = load_negative(neg)[:limit]

    by_sentence: dict[str, list[dict]] = {}
    sentences = list(dict.fromkeys(s for s, _ in pairs))
    for sentence, doc in zip(sentences, nlp.pipe(sentences, batch_size=64)):
        by_sentence[sentence] = extract_adverse_events(doc)
    hits = [found(s, ae, by_sentence[s]) for s, ae in pairs]
    in_lex = [bool(canonical_terms(ae)) for _, ae in pairs]
    n_lex = sum(in_lex)
    hits_lex = sum(h for h, k in zip(hits, in_lex) if k)

    fp = 0
    for doc in nlp.pipe(negatives, batch_size=64):
        if any(not e["negated"] for e in extract_adverse_events(doc)):
            fp += 1

    n = len(pairs)
    return [
        Metric(DATASET, "adverse_events", "recall_all", sum(hits) / n if n else 0.0, n, None,
               "non-negated mention overlapping the annotated AE span; most corpus AEs are outside the ketamine lexicon"),
        Metric(DATASET, "adverse_events", "recall_in_lexicon", hits_lex / n_lex if n_lex else 0.0, n_lex, None,
               "annotated AEs whose text maps to a lexicon term"),
        Metric(DATASET, "adverse_events", "lexicon_coverage", n_lex / n if n else 0.0, n, None,
               "share of annotated AEs in the lexicon"),
        Metric(DATASET, "adverse_events", "false_positive_rate", fp / len(negatives) if negatives else 0.0, len(negatives),
               None, "ADE-NEG sentences with >= 1 non-negated extracted AE"),
    ]
