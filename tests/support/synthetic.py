"""Synthetic, realistic-shaped PubMed XML for tests, benchmarks and the fake server.

The articles follow the element structure of real efetch output (``MedlineCitation``
with ``PMID Version``, ``DateRevised``, ``Article``/``Journal``/``Abstract`` with
labelled ``AbstractText`` sections, ``AuthorList``, ``PublicationTypeList``,
``MeshHeadingList``, ``KeywordList``; ``PubmedData`` with ``History`` dates and
``ArticleIdList``). Their text is assembled from templates about ketamine in
depression, pain and migraine, with designs, sample sizes, routes, doses,
outcomes and adverse events, so the NLP stage has something real to chew on.
Everything is deterministic in ``(pmid, seed)``.

Tiny example::

    from datetime import date
    from tests.support.synthetic import synthetic_article_xml, article_set_xml
    xml = article_set_xml([synthetic_article_xml(1000001, entrez_date=date(2024, 5, 1))])
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

DOCTYPE = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)

TOPICS = ("depression", "pain", "migraine")

_CONDITION = {
    "depression": [
        ("treatment-resistant depression", "Depressive Disorder, Treatment-Resistant", "D061218"),
        ("major depressive disorder", "Depressive Disorder, Major", "D003865"),
        ("bipolar depression", "Bipolar Disorder", "D001714"),
        ("suicidal ideation", "Suicidal Ideation", "D059020"),
        ("postpartum depression", "Depression, Postpartum", "D019052"),
    ],
    "pain": [
        ("postoperative pain", "Pain, Postoperative", "D010149"),
        ("chronic neuropathic pain", "Neuralgia", "D009437"),
        ("complex regional pain syndrome", "Complex Regional Pain Syndromes", "D020918"),
        ("cancer pain", "Cancer Pain", "D000072716"),
        ("fibromyalgia", "Fibromyalgia", "D005356"),
    ],
    "migraine": [
        ("migraine", "Migraine Disorders", "D008881"),
        ("chronic migraine", "Migraine Disorders", "D008881"),
        ("cluster headache", "Cluster Headache", "D003027"),
        ("refractory headache", "Headache Disorders", "D020773"),
    ],
}
_OUTCOME = {
    "depression": ["Montgomery-Asberg Depression Rating Scale (MADRS)", "Hamilton Depression Rating Scale (HAM-D)",
                   "Beck Depression Inventory (BDI)", "Quick Inventory of Depressive Symptomatology (QIDS)"],
    "pain": ["numeric rating scale (NRS) pain score", "visual analogue scale (VAS) pain score",
             "cumulative morphine consumption", "Brief Pain Inventory (BPI)"],
    "migraine": ["monthly headache days", "Migraine Disability Assessment (MIDAS)", "Headache Impact Test (HIT-6)",
                 "pain intensity on a numeric rating scale"],
}
_ROUTE = [
    ("intravenous", "ketamine", "0.5 mg/kg over 40 minutes"),
    ("intravenous", "ketamine", "an infusion of 0.15 mg/kg/h"),
    ("intranasal", "esketamine", "56 or 84 mg twice weekly"),
    ("intranasal", "ketamine", "25 mg"),
    ("oral", "ketamine", "1 mg/kg daily"),
    ("intramuscular", "ketamine", "0.5 mg/kg"),
    ("subcutaneous", "racemic ketamine", "0.5 to 1 mg/kg"),
    ("intravenous", "arketamine", "0.5 mg/kg"),
]
_COMPARATOR = ["placebo", "normal saline", "midazolam", "electroconvulsive therapy", "lidocaine", "morphine"]
_AE = ["dissociation", "nausea", "dizziness", "transient blood pressure increase", "sedation", "headache",
       "vomiting", "hallucinations", "diplopia", "tachycardia"]
_DESIGN = [  # (weight, pubtype, pubtype UI, design phrase)
    (30, "Randomized Controlled Trial", "D016449", "In this randomized, double-blind, placebo-controlled trial"),
    (15, "Clinical Trial", "D016430", "In this open-label, single-arm study"),
    (20, "Observational Study", "D064888", "In this retrospective cohort study"),
    (10, "Case Reports", "D002363", "We report the case of a patient who"),
    (15, "Review", "D016454", "We systematically searched MEDLINE and Embase for studies in which"),
    (10, "Journal Article", "D016428", "In a rat model,"),
]
_JOURNALS = [("Journal of Affective Disorders", "J Affect Disord"), ("Anesthesia and analgesia", "Anesth Analg"),
             ("Headache", "Headache"), ("The American journal of psychiatry", "Am J Psychiatry"),
             ("Pain", "Pain"), ("Cephalalgia : an international journal of headache", "Cephalalgia")]
_SURNAMES = ["Smith", "Garcia", "Müller", "Nakamura", "Okafor", "Rossi", "Dupont", "Kowalski", "Andersson", "Chen"]
_FORENAMES = ["Anna", "Jose", "Li", "Maria", "Kenji", "Chidi", "Luca", "Marie", "Piotr", "Sara"]


@dataclass(frozen=True)
class SyntheticArticle:
    """Metadata of one generated article (what the fake server needs to answer esearch)."""

    pmid: int
    topic: str
    entrez_date: date
    revised_date: date
    version: int = 1


def _d(tag: str, day: date, attrs: str = "") -> str:
    return f"<{tag}{attrs}><Year>{day.year}</Year><Month>{day.month:02d}</Month><Day>{day.day:02d}</Day></{tag}>"


def synthetic_article_xml(
    pmid: int,
    entrez_date: date,
    *,
    topic: str | None = None,
    revised_date: date | None = None,
    version: int = 1,
    revision: int = 0,
    seed: int = 0,
) -> str:
    """One ``<PubmedArticle>`` element as a string.

    Parameters
    ----------
    pmid:
        The PMID.
    entrez_date:
        Entrez date (``PubMedPubDate PubStatus="entrez"``); ``pubmed`` date too.
    topic:
        ``depression``, ``pain`` or ``migraine``; chosen from ``pmid`` if omitted.
    revised_date:
        ``DateRevised`` (defaults to ``entrez_date``).
    version:
        ``PMID Version``.
    revision:
        Change this to get a different text for the same PMID (a "revised" record).
    seed:
        Corpus seed.

    Returns
    -------
    str
        XML of one article, no declaration.
    """
    rng = random.Random(f"{seed}:{pmid}:{revision}")
    topic = topic or TOPICS[pmid % len(TOPICS)]
    revised_date = revised_date or entrez_date
    cond, mesh_cond, mesh_ui = rng.choice(_CONDITION[topic])
    outcome = rng.choice(_OUTCOME[topic])
    route, form, dose = rng.choice(_ROUTE)
    comparator = rng.choice(_COMPARATOR)
    weights = [w for w, *_ in _DESIGN]
    _, pubtype, pubtype_ui, design_phrase = rng.choices(_DESIGN, weights=weights)[0]
    n_a, n_b = rng.randint(8, 120), rng.randint(8, 120)
    ae1, ae2 = rng.sample(_AE, 2)
    pct1, pct2 = rng.randint(5, 45), rng.randint(1, 20)
    p_value = rng.choice(["p < 0.001", "p = 0.02", "p = 0.34", "p = 0.004"])
    improved = p_value != "p = 0.34"
    journal, iso = rng.choice(_JOURNALS)
    year = entrez_date.year
    title = (
        f"{route.capitalize()} {form} versus {comparator} for {cond}"
        + (": a randomized controlled trial" if pubtype == "Randomized Controlled Trial" else "")
        + (f" (revision {revision})" if revision else "")
        + "."
    )
    sections = [
        ("BACKGROUND", "BACKGROUND", f"Ketamine, an N-methyl-D-aspartate (NMDA) receptor antagonist, is used off-label for {cond}. "
         f"Evidence on {route} dosing remains limited."),
        ("METHODS", "METHODS", f"{design_phrase} {n_a + n_b} adults with {cond} were randomly assigned to {route} {form} "
         f"({dose}; n = {n_a}) or {comparator} (n = {n_b}). The primary outcome was the change in the {outcome} at 24 hours."),
        ("RESULTS", "RESULTS", ((f"The {outcome} improved significantly more with {form} than with {comparator} ({p_value}; "
         f"95% CI {rng.randint(1, 5)}.{rng.randint(0, 9)} to {rng.randint(6, 12)}.{rng.randint(0, 9)}). ")
         if improved else f"There was no significant difference in the {outcome} between groups ({p_value}). ")
         + f"{ae1.capitalize()} occurred in {pct1}% of patients receiving {form} versus {pct2}% with {comparator}. "
         f"No serious adverse events were reported, and rates of {ae2} were comparable between groups."),
        ("CONCLUSIONS", "CONCLUSIONS", (f"{route.capitalize()} {form} was effective and well tolerated for {cond}."
         if improved else f"{route.capitalize()} {form} did not improve {cond} compared with {comparator}.")),
    ]
    abstract = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{cat}">{escape(text)}</AbstractText>' for label, cat, text in sections
    )
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>{escape(rng.choice(_SURNAMES))}</LastName>'
        f"<ForeName>{rng.choice(_FORENAMES)}</ForeName><Initials>{chr(65 + rng.randrange(26))}</Initials>"
        f"<AffiliationInfo><Affiliation>Department of Psychiatry, University Hospital {rng.randint(1, 50)}.</Affiliation></AffiliationInfo></Author>"
        for _ in range(rng.randint(1, 6))
    )
    if rng.random() < 0.05:
        authors += '<Author ValidYN="Y"><CollectiveName>Ketamine Trials Consortium</CollectiveName></Author>'
    nct = f"NCT{rng.randint(10**7, 10**8 - 1)}" if pubtype == "Randomized Controlled Trial" else None
    databank = (
        f'<DataBankList CompleteYN="Y"><DataBank><DataBankName>ClinicalTrials.gov</DataBankName>'
        f"<AccessionNumberList><AccessionNumber>{nct}</AccessionNumber></AccessionNumberList></DataBank></DataBankList>"
        if nct else ""
    )
    pubtypes = f'<PublicationType UI="{pubtype_ui}">{pubtype}</PublicationType>'
    if pubtype != "Journal Article":
        pubtypes = '<PublicationType UI="D016428">Journal Article</PublicationType>' + pubtypes
    mesh = (
        '<MeshHeading><DescriptorName UI="D007649" MajorTopicYN="Y">Ketamine</DescriptorName>'
        '<QualifierName UI="Q000008" MajorTopicYN="N">administration &amp; dosage</QualifierName>'
        '<QualifierName UI="Q000627" MajorTopicYN="Y">therapeutic use</QualifierName></MeshHeading>'
        f'<MeshHeading><DescriptorName UI="{mesh_ui}" MajorTopicYN="N">{escape(mesh_cond)}</DescriptorName>'
        '<QualifierName UI="Q000188" MajorTopicYN="N">drug therapy</QualifierName></MeshHeading>'
        '<MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>'
    )
    pub_day = entrez_date + timedelta(days=rng.randint(0, 60))
    return (
        "<PubmedArticle>"
        '<MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="{version}">{pmid}</PMID>'
        + _d("DateRevised", revised_date)
        + '<Article PubModel="Print-Electronic"><Journal><ISSN IssnType="Electronic">1234-5678</ISSN>'
        '<JournalIssue CitedMedium="Internet"><Volume>12</Volume><Issue>3</Issue>'
        f"<PubDate><Year>{pub_day.year}</Year><Month>{pub_day.strftime('%b')}</Month></PubDate></JournalIssue>"
        f"<Title>{escape(journal)}</Title><ISOAbbreviation>{escape(iso)}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle>"
        f'<ELocationID EIdType="doi" ValidYN="Y">10.5555/kt.{year}.{pmid}</ELocationID>'
        f"<Abstract>{abstract}</Abstract>"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList>'
        "<Language>eng</Language>"
        f"{databank}"
        f"<PublicationTypeList>{pubtypes}</PublicationTypeList>"
        "</Article>"
        f"<MeshHeadingList>{mesh}</MeshHeadingList>"
        f'<KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">ketamine</Keyword><Keyword MajorTopicYN="N">{escape(cond)}</Keyword></KeywordList>'
        "</MedlineCitation>"
        "<PubmedData><History>"
        + _d("PubMedPubDate", entrez_date, ' PubStatus="entrez"')
        + _d("PubMedPubDate", entrez_date, ' PubStatus="pubmed"')
        + "</History><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">10.5555/kt.{year}.{pmid}</ArticleId>'
        + (f'<ArticleId IdType="pmc">PMC{pmid + 7000000}</ArticleId>' if pmid % 4 == 0 else "")
        + "</ArticleIdList></PubmedData></PubmedArticle>"
    )


def article_set_xml(articles: Iterable[str]) -> str:
    """Wrap ``<PubmedArticle>`` strings in a ``<PubmedArticleSet>`` document, as efetch returns it."""
    return DOCTYPE + "<PubmedArticleSet>\n" + "\n".join(articles) + "\n</PubmedArticleSet>\n"


def synthetic_corpus(
    n: int, *, start_pmid: int = 30_000_000, start: date = date(2005, 1, 1), end: date = date(2025, 12, 31), seed: int = 0
) -> Iterator[SyntheticArticle]:
    """``n`` article descriptions with entrez dates spread over ``[start, end]``.

    Dates are spread evenly with jitter (more recent years are denser, as in the
    real literature), topics rotate over :data:`TOPICS`.
    """
    rng = random.Random(seed)
    span = (end - start).days
    for i in range(n):
        frac = (i + rng.random()) / max(n, 1)
        day = start + timedelta(days=int(span * (frac ** 0.6)))
        yield SyntheticArticle(pmid=start_pmid + i, topic=TOPICS[i % len(TOPICS)], entrez_date=day, revised_date=day)


def write_synthetic_xml(path: str | Path, n: int, *, seed: int = 0, gzip_output: bool | None = None) -> Path:
    """Write ``n`` synthetic articles as one PubMed XML file (``.gz`` → gzip), streaming."""
    path = Path(path)
    gz = path.suffix == ".gz" if gzip_output is None else gzip_output
    import gzip

    opener = (lambda: gzip.open(path, "wt", encoding="utf-8", compresslevel=5)) if gz else (lambda: open(path, "w", encoding="utf-8"))
    with opener() as fh:
        fh.write(DOCTYPE + "<PubmedArticleSet>\n")
        for art in synthetic_corpus(n, seed=seed):
            fh.write(synthetic_article_xml(art.pmid, art.entrez_date, topic=art.topic, seed=seed))
            fh.write("\n")
        fh.write("</PubmedArticleSet>\n")
    return path
