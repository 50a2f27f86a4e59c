from nlp.extract import extract_article

TITLE = "Intranasal esketamine versus placebo for bipolar depression"
ABSTRACT = "METHODS: Forty adults with bipolar depression were randomised. RESULTS: MADRS scores improved (p < 0.01)."


def test_text_condition_kept_when_mesh_names_no_tracked_condition():
    result = extract_article(1, TITLE, ABSTRACT, pub_types=["Randomized Controlled Trial"],
                             mesh=["Ketamine", "Bipolar Disorder", "Humans"])
    assert "depression" in result["conditions"]
    assert "bipolar_depression" in result["condition_subtypes"]


def test_mesh_still_decides_when_it_names_a_tracked_condition():
    result = extract_article(2, "Ketamine for postoperative pain after knee surgery", "Patients also had depression.",
                             mesh=["Ketamine", "Pain, Postoperative"])
    assert result["conditions"] == ["pain"]
