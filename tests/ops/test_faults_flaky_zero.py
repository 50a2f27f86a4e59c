"""Flaky zeros (esearch ``Count 0`` with an ``ErrorList``) while a search is split or listed.

Found by the fault mixes of ``test_faults.py``: a flaky zero on the re-count of
a split's parent, when the other half was legitimately empty, silently dropped
the whole slice (and the watermark moved past it).
"""

from __future__ import annotations

import pytest


def _second_half_corpus(fake):
    """60 records all in the second half of 2023, so the first half of a 2023 split is legitimately empty."""
    from datetime import date

    from support.fake_eutils import make_articles

    arts = make_articles(60, "pain", start=date(2023, 7, 10), end=date(2023, 12, 20))
    fake.add_articles(arts)
    return {a.pmid for a in arts}


def test_flaky_zero_recount_of_a_split_parent_does_not_drop_the_slice(fake, client, topics):
    from datetime import date

    from harvester.harvest import IdSearch

    wanted = _second_half_corpus(fake)
    fake.id_cap = 40
    # requests: window count (60) | first half (0, true) | second half (flaky 0) | parent recount (flaky 0) | ...
    fake.script("errorlist", n=2, endpoint="esearch", skip=2)
    found = IdSearch(client, topics["pain"].query, id_cap=40).run("edat", date(2023, 1, 1), date(2023, 12, 31))
    assert fake.faults_served()["errorlist"] == 2 and found == wanted


def test_flaky_zero_id_lists_fail_the_run_instead_of_dropping_records(fake, client, topics):
    from datetime import date

    from harvester.eutils import EutilsError
    from harvester.harvest import IdSearch

    _second_half_corpus(fake)
    # requests: count (60, within the cap) | then every id list comes back as a flaky zero
    fake.script("errorlist", n=3, endpoint="esearch", skip=1)
    with pytest.raises(EutilsError, match="flaky"):
        IdSearch(client, topics["pain"].query, confirm_tries=3).run("edat", date(2023, 1, 1), date(2023, 12, 31))
