"""Routes, doses, ketamine forms and comparators."""

from nlp.extract import extract_article


def _x(abstract, title="Ketamine trial"):
    return extract_article(1, title, abstract)


def test_dose_range_with_en_dash():
    [d] = _x("Patients received intravenous ketamine 0.5–1 mg/kg.")["doses"]
    assert (d["amount"], d["amount_high"], d["unit"]) == (0.5, 1.0, "mg/kg")


def test_dose_route_in_same_phrase():
    [d] = _x("Patients received intravenous ketamine 0.5 mg/kg over 40 minutes.")["doses"]
    assert d["route"] == "intravenous"


def test_infusion_rate_unit():
    [d] = _x("Ketamine was infused at 0.15 mg/kg/h during surgery.")["doses"]
    assert d["unit"] == "mg/kg/h"


def test_microgram_rate_unit_normalised():
    [d] = _x("Ketamine 2 mcg/kg/min was continued.")["doses"]
    assert d["unit"] == "µg/kg/min"


def test_anaesthesia_journal_unit_style():
    [d] = _x("Ketamine 0.5 mg kg-1 was given.")["doses"]
    assert d["unit"] == "mg/kg"


def test_esketamine_form_on_dose():
    [d] = _x("Esketamine nasal spray 56 mg was given twice weekly.")["doses"]
    assert (d["form"], d["unit"], d["route"]) == ("esketamine", "mg", "intranasal")


def test_comparator_dose_is_not_a_ketamine_dose():
    doses = _x("Patients received ketamine 0.5 mg/kg or midazolam 0.045 mg/kg.")["doses"]
    assert [d["amount"] for d in doses] == [0.5]


def test_route_of_comparator_not_counted():
    r = _x("Patients received intravenous ketamine or oral midazolam.")
    assert r["routes"] == ["intravenous"]


def test_intranasal_route():
    assert _x("Intranasal esketamine was compared with placebo.")["routes"] == ["intranasal"]


def test_placebo_and_midazolam_comparators():
    r = _x("Ketamine was compared with midazolam in a placebo-controlled design.")
    assert set(r["comparators"]) == {"midazolam", "placebo"}


def test_active_drug_comparator_needs_comparison_context():
    r = _x("Patients received ketamine versus dexmedetomidine. Morphine was available on request.")
    assert r["comparators"] == ["dexmedetomidine"]


def test_esketamine_vs_ketamine():
    r = _x("Esketamine versus racemic ketamine was compared. Esketamine was well tolerated.", title="Esketamine trial")
    assert r["comparators"] == ["ketamine"] and r["ketamine_forms"][0] == "esketamine"


def test_ect_abbreviation_comparator():
    r = _x("Ketamine was compared with electroconvulsive therapy (ECT).")
    assert r["comparators"] == ["ect"]
