"""Design: randomisation wordings found outside the gold set (sentences written for these tests)."""

from nlp.extract import extract_article


def _design(abstract, title="Esketamine and postoperative pain"):
    return extract_article(1, title, abstract)["design"]


def test_random_number_table():
    assert _design("METHODS: Ninety patients were divided into an esketamine group and a control group "
                   "by the random number table method.") == "rct"


def test_random_allocation_named():
    assert _design("METHODS: Women were split into two groups based on random allocation; one group received esketamine.") == "rct"


def test_randomized_order_in_crossover():
    assert _design("METHODS: Volunteers received placebo or two doses of ketamine in randomized order.") == "rct"


def test_randomly_administered():
    assert _design("METHODS: We enrolled 60 patients and randomly administered ketamine or midazolam.") == "rct"


def test_random_sampling_is_not_randomisation():
    assert _design("METHODS: A cross-sectional survey used random sampling of 900 adults.") != "rct"
