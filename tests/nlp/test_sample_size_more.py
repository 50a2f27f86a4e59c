"""Sample-size rules added for PsyNamic's participant bands, on sentences
written for these tests (one behaviour per test)."""

from nlp.extract import extract_article

RCT = "Ketamine for depression: a randomized trial"
STUDY = "Ketamine and cognition in depression"
REVIEW = "Ketamine for depression: a systematic review and meta-analysis"


def _size(abstract, title=RCT):
    r = extract_article(1, title, abstract)
    return r["sample_size"], r["sample_size_basis"]


def _pooled(abstract):
    """A review's (pooled_participants, basis): its sample_size is always None."""
    r = extract_article(1, REVIEW, abstract)
    assert (r["design"], r["sample_size"], r["sample_size_basis"]) == ("review", None, None)
    return r["pooled_participants"], "pooled" if r["pooled_participants"] is not None else None


def test_review_gets_its_pooled_participants():
    assert _pooled("RESULTS: Twelve trials (n = 640 participants) were included.") == (640, "pooled")


def test_review_counting_only_studies_has_no_size():
    assert _pooled("RESULTS: Nine trials and three cohort studies were included.") == (None, None)


def test_review_record_count_is_not_participants():
    assert _pooled("RESULTS: The search returned records (N = 512); nine trials met the criteria.") == (None, None)


def test_studies_with_n_in_brackets_counts_participants():
    assert _pooled("RESULTS: We pooled 14 studies (N = 1,250) of ketamine.")[0] == 1250


def test_count_inside_a_rejected_phrase_is_found():
    assert _pooled("RESULTS: Ten studies (480 participants) were included.")[0] == 480


def test_comma_between_modifiers():
    assert _size("METHODS: Twelve healthy, male volunteers received a ketamine infusion.", STUDY)[0] == 12


def test_total_of_infusions_is_not_participants():
    assert _size("METHODS: A total of 64 patients received a total of 300 ketamine infusions.", STUDY)[0] == 64


def test_percentage_subgroup_is_not_an_arm():
    abstract = ("METHODS: Adults (N=60) with depression, of whom 45% (N=27) were taking antidepressants, "
                "were randomly assigned to receive ketamine or midazolam.")
    assert _size(abstract) == (60, "randomised")


def test_with_subgroup_is_not_an_arm():
    assert _size("RESULTS: Thirty participants were enrolled, with twenty participants receiving all doses.", STUDY)[0] == 30


def test_bracketed_subgroup_is_not_an_arm():
    assert _size("METHODS: Fifty patients (28 women) were divided randomly into two groups.")[0] == 50


def test_cohort_size_is_not_the_sample():
    abstract = "METHODS: Each cohort will consist of 10 participants (8 receiving ketamine and 2 receiving placebo)."
    assert _size(abstract)[0] is None


def test_per_group_size_is_not_the_sample():
    assert _size("METHODS: Twenty patients per group were randomized to ketamine or saline.")[0] is None


def test_total_before_repeated_arms():
    abstract = ("METHODS: Forty subjects were randomized to drug (n = 19) or placebo (n = 21) "
                "[drug: n = 19, mean age 40 years; placebo: n = 21, mean age 41 years].")
    assert _size(abstract) == (40, "randomised")


def test_patients_and_healthy_controls_are_summed():
    assert _size("METHODS: Thirty-three patients with depression and 26 healthy controls were scanned.", STUDY)[0] == 59


def test_list_of_three_groups_is_summed():
    abstract = "METHODS: Thirty-two current users, 28 former users, and 75 healthy controls took part."
    assert _size(abstract, STUDY)[0] == 135


def test_ss_abbreviation_is_participants():
    assert _size("METHODS: This retrospective review of 21 Ss with chronic pain describes oral ketamine.", STUDY)[0] == 21


def test_hc_abbreviation_is_participants():
    assert _size("METHODS: We scanned 25 patients and 25 HC after ketamine.", STUDY)[0] == 50


def test_n_after_an_age_range_is_participants():
    assert _size("METHODS: Respondents aged 12 years or older (N = 1,200) were surveyed.", STUDY)[0] == 1200


def test_groups_with_bracketed_breakdowns_are_summed():
    abstract = ("METHODS: We enrolled 64 outpatients (40 women and 24 men, aged 20-65 years) "
                "and 27 healthy volunteers (15 women and 12 men).")
    assert _size(abstract, STUDY)[0] == 91


def test_group_list_with_a_relative_clause():
    abstract = "METHODS: We tested 40 current users, 12 subjects who had stopped using the drug, and 20 controls."
    assert _size(abstract, STUDY)[0] == 72


def test_review_count_outside_a_pooled_sentence_is_ignored():
    abstract = "RESULTS: Anxiety was frequent, and 3 participants needed a benzodiazepine during dosing."
    assert _pooled(abstract) == (None, None)


def test_review_total_of_records_is_not_participants():
    assert _pooled("RESULTS: A total of 412 records were screened and 9 trials were included.") == (None, None)


def test_review_n_of_studies_is_not_participants():
    assert _pooled("RESULTS: Most studies used psilocybin (n = 7 studies) or ketamine (n = 5 studies).") == (None, None)


def test_review_n_after_a_number_of_trials_is_pooled():
    assert _pooled("RESULTS: Pooling 17 RCTs (n = 2,918) gave a lower risk of relapse.") == (2918, "pooled")


def test_n_after_studies_with_adjectives_counts_participants():
    abstract = "METHODS: In three separate studies (N = 73), healthy volunteers received placebo or drug."
    assert _size(abstract, STUDY)[0] == 73


def test_list_that_opens_with_its_total():
    assert _size("METHODS: The study included 30 patients, 20 boys and 10 girls, aged 6 to 11 years.", STUDY)[0] == 30


def test_comma_does_not_join_clauses_into_a_count():
    abstract = "RESULTS: All sites, except one pilot site, enrolled patients with risk factors."
    assert _size(abstract, STUDY)[0] is None


def test_patient_records_with_n_are_counted():
    assert _size("METHODS: Medical records (n = 88) of treated patients were reviewed.", STUDY)[0] == 88


def test_control_group_in_another_sentence_is_added():
    abstract = ("METHODS: Adults with depression (N = 23) received a ketamine infusion. "
                "Brain scans were also acquired in matched healthy controls (N = 27).")
    assert _size(abstract, STUDY)[0] == 50


def test_control_group_in_the_same_list_is_not_added_twice():
    abstract = ("METHODS: We enrolled 30 patients with depression and 30 healthy controls. "
                "RESULTS: The 30 healthy controls showed no change.")
    assert _size(abstract, STUDY)[0] == 60


def test_controls_only_compared_with_are_not_added():
    abstract = ("METHODS: Thirty-four patients received a ketamine infusion. "
                "Their sleep was compared to that of healthy controls (n = 22) from earlier work.")
    assert _size(abstract, STUDY)[0] == 34


def test_two_equal_groups_are_both_counted():
    assert _size("METHODS: Smokers (N = 38) and non-smokers (N = 38) completed the tasks.", STUDY)[0] == 76


def test_non_users_are_participants():
    assert _size("METHODS: Eighteen cannabis users and 22 non-users did the recall test.", STUDY)[0] == 40


def test_group_list_with_an_of_phrase_and_relative_clause():
    abstract = "METHODS: We enrolled 13 abstinent former users of the drug and 17 controls who had never taken it."
    assert _size(abstract, STUDY)[0] == 30


def test_groups_compared_with_each_other_are_summed():
    assert _size("METHODS: In this study, 40 adolescents were compared with 40 controls on symptom scales.", STUDY)[0] == 80


def test_groups_of_n_are_multiplied():
    assert _size("METHODS: A randomized experiment in 3 groups of 9 healthy volunteers.")[0] == 27


def test_healthy_volunteers_elsewhere_are_not_added_as_controls():
    abstract = "METHODS: Twenty subjects were randomized to ketamine or placebo. RESULTS: The 20 healthy volunteers tolerated it."
    assert _size(abstract)[0] == 20


def test_unicode_hyphen_in_a_modifier():
    assert _size("METHODS: A crossover study in twelve healthy poly\u2010drug users was conducted.", STUDY)[0] == 12


def test_ex_users_are_participants():
    assert _size("METHODS: Our sample consisted of forty-three ex-users of the substance.", STUDY)[0] == 43


def test_within_subject_conditions_are_not_summed():
    abstract = "METHODS: In a within-subject study, patients received placebo (n = 19) followed by psilocybin (n = 15)."
    assert _size(abstract, STUDY)[0] == 19


def test_total_of_eyes_is_not_participants():
    assert _size("RESULTS: A total of 120 eyes of 60 patients were treated.", STUDY)[0] == 60


def test_arms_after_of_without_a_number_are_summed():
    abstract = "METHODS: We studied inpatients with (n = 17) and without (n = 31) a history of self-harm."
    assert _size(abstract, STUDY)[0] == 48


def test_group_list_with_a_whose_clause():
    abstract = "METHODS: We scanned 20 drug users whose main drug was ecstasy and 20 controls during a memory task."
    assert _size(abstract, STUDY)[0] == 40


def test_groups_in_comparison_with_each_other_are_summed():
    abstract = "METHODS: Reaction times were recorded in 11 female users, in comparison with 19 healthy female subjects."
    assert _size(abstract, STUDY)[0] == 30


def test_arm_with_its_noun_then_an_arm_without_one_are_summed():
    # "N patients received X" is an arm like "M received Y" (the noun is optional in the arm pattern)
    assert _size("METHODS: In all, 21 patients received ketamine and 19 received propofol.")[0] == 40


def test_review_pooled_count_may_be_an_arm_phrase():
    r = extract_article(1, REVIEW, "RESULTS: Nine trials with 812 patients receiving esketamine and 640 controls were included.")
    assert (r["sample_size"], r["pooled_participants"]) == (None, 1452)


def test_a_defined_short_form_of_a_participant_group_is_a_participant_noun():
    abstract = ("METHODS: Healthy volunteers (HVs) and bipolar volunteers (BVs) were interviewed. "
                "Twenty HVs and 16 BVs received ketamine.")
    assert _size(abstract)[0] == 36


def test_a_short_form_of_something_else_is_not_a_participant_noun():
    abstract = "METHODS: Magnetic resonance scans (MRSs) were read. We studied 20 patients, and 16 MRSs were repeated."
    assert _size(abstract)[0] == 20


def test_smokers_and_non_smokers_are_both_counted():
    assert _size("METHODS: Our sample: 25 smokers and 25 non-smokers, all right-handed.")[0] == 50
