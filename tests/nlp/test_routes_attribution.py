"""Which route words are ketamine's: other drugs, background sentences, non-route phrases.

Every sentence here is written for the test; none is taken from a data set.
"""

import pytest

from nlp.extract import extract_article


def routes(abstract, title="Ketamine trial"):
    return extract_article(1, title, abstract)["routes"]


@pytest.mark.parametrize("abstract", [
    "Volunteers took oral doses of AB-1234 or placebo for a week, then received ketamine.",
    "XYZ-901 oral solution was given daily; all subjects then had ketamine.",
    "A single oral dose of the glycine inhibitor Org 12345 preceded the ketamine challenge.",
])
def test_route_of_a_drug_code_is_not_ketamine(abstract):
    assert "oral" not in routes(abstract)


def test_route_of_an_unlisted_drug_is_not_ketamine():
    assert routes("Patients took oral aripiprazole and received ketamine at week two.") == []


def test_trial_registration_number_is_not_a_drug():
    abstract = "Patients received oral ketamine (NCT01234567) once a week."
    assert routes(abstract) == ["oral"]


def test_esketamine_code_is_ketamine():
    assert routes("Adults received intranasal JNJ-54135419 twice weekly.") == ["intranasal"]


@pytest.mark.parametrize("title,abstract,expected", [
    ("Oral ketamine in suicidality", "Most studies to date have used intravenous ketamine. Adults took oral ketamine weekly.", ["oral"]),
    ("Intranasal ketamine for depression",
     "BACKGROUND: Ketamine trials have used intravenous dosing. METHODS: Patients self-administered intranasal ketamine.", ["intranasal"]),
    ("Subcutaneous ketamine in a patient", "Ketamine can be given intravenously but was injected subcutaneously here.", ["subcutaneous"]),
    ("Oral ketamine in pain", "Our results are consistent with IV ketamine trials. Oral ketamine halved pain.", ["oral"]),
])
def test_route_of_earlier_work_is_dropped(title, abstract, expected):
    assert routes(abstract, title) == expected


@pytest.mark.parametrize("heading", ["BACKGROUND", "BACKGROUND AND OBJECTIVE", "INTRODUCTION AND BACKGROUND"])
def test_route_of_a_background_section_is_dropped(heading):
    abstract = f"{heading}: Intravenous ketamine relieves depression. METHODS: Patients self-administered intranasal ketamine."
    assert routes(abstract, "Ketamine for depression") == ["intranasal"]


def test_background_route_kept_when_no_other_route_is_named():
    abstract = "BACKGROUND: Intravenous ketamine relieves depression. METHODS: Twenty patients received ketamine."
    assert routes(abstract, "Ketamine for depression") == ["intravenous"]


def test_two_routes_of_this_study_are_both_kept():
    abstract = "Patients received intravenous ketamine and then oral ketamine for four weeks."
    assert routes(abstract) == ["intravenous", "oral"]


@pytest.mark.parametrize("abstract,expected", [
    ("Patients received a subcutaneous ketamine infusion twice weekly.", ["subcutaneous"]),
    ("Ketamine was given by continuous epidural infusion after surgery.", ["neuraxial"]),
    ("Ketamine was given as an intravenous infusion over 40 minutes.", ["intravenous"]),
    ("Ketamine was given orally, and later by infusion.", ["intravenous", "oral"]),
])
def test_infusion_qualified_by_another_route(abstract, expected):
    assert routes(abstract) == expected


def test_epidural_anaesthesia_in_criteria_is_not_a_ketamine_route():
    abstract = "Ketamine 10 mg was given for sedation. INCLUSION CRITERIA: age over 60; spinal or epidural anaesthesia."
    assert "neuraxial" not in routes(abstract)


@pytest.mark.parametrize("abstract", [
    "All patients gave oral informed consent before ketamine was started.",
    "Ketamine was given while oxygen flowed through a nasal cannula.",
    "An intravenous line was placed and ketamine was titrated.",
])
def test_phrases_with_route_words_are_not_routes(abstract):
    assert routes(abstract) == []


def test_caudal_brain_region_is_not_neuraxial():
    assert routes("Ketamine changed activity in the caudal anterior cingulate cortex.") == []


def test_caudal_block_with_ketamine_is_neuraxial():
    assert routes("Children received a caudal block with ketamine and bupivacaine.") == ["neuraxial"]
