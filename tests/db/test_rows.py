import gc
import weakref

from db.records import ArticleRecord, DeletedCitation
from db.rows import PreparedBatch, prepare_batch
from harvester.file_batches import prepared_chunks, prepared_item_chunks


def _rec(pmid, title="Ketamine for depression"):
    return ArticleRecord(pmid=pmid, title=title)


def _title(batch, pmid):
    return batch.articles[pmid][1][2]  # values follow RECORD_COLUMNS: pmid, version, title, ...


def test_last_occurrence_of_a_pmid_wins_in_its_first_place():
    batch = prepare_batch([_rec(1, "old"), _rec(2), _rec(1, "new")])
    assert list(batch.articles) == [1, 2]
    assert _title(batch, 1) == "new"


def test_deleted_citation_drops_the_article_before_it():
    batch = prepare_batch([_rec(1), DeletedCitation(1), _rec(2)])
    assert list(batch.articles) == [2]
    assert batch.deleted == [1]


def test_article_after_its_deletion_is_kept_at_the_end():
    batch = prepare_batch([_rec(1, "first"), _rec(2), DeletedCitation(1), _rec(1, "back")])
    assert list(batch.articles) == [2, 1]
    assert _title(batch, 1) == "back"
    assert batch.deleted == [1]


def test_prepare_batch_holds_no_earlier_record_while_the_next_is_made():
    refs = []
    alive_when_made = []

    def produce():
        for pmid in range(1, 6):
            gc.collect()
            alive_when_made.append(sum(ref() is not None for ref in refs))
            rec = _rec(pmid)
            refs.append(weakref.ref(rec))
            yield rec
            del rec

    batch = prepare_batch(produce())
    assert len(batch.articles) == 5
    # at most the record just prepared (still the loop variable) is alive
    assert max(alive_when_made) <= 1


def test_prepared_chunks_splits_and_counts_records():
    records = [_rec(1), _rec(2), DeletedCitation(1), _rec(3), _rec(3)]
    chunks = list(prepared_chunks(iter(records), 2))
    assert [n for n, _ in chunks] == [2, 2, 1]
    assert [list(b.articles) for _, b in chunks] == [[1, 2], [3], [3]]
    assert chunks[1][1].deleted == [1]


def test_prepared_chunks_of_nothing_is_empty():
    assert list(prepared_chunks(iter([]), 3)) == []


def test_add_lets_the_last_occurrence_win_in_its_first_place():
    batch = PreparedBatch()
    batch.add(1, ("h1", (1,), [], []))
    batch.add(2, ("h2", (2,), [], []))
    batch.add(1, ("h1b", (1,), [], []))
    assert list(batch.articles) == [1, 2]
    assert batch.articles[1][0] == "h1b"


def test_add_of_a_deletion_drops_the_article_of_the_batch():
    batch = PreparedBatch()
    batch.add(1, ("h1", (1,), [], []))
    batch.add(1, None)
    assert batch.articles == {}
    assert batch.deleted == [1]


def test_prepared_item_chunks_splits_and_counts_items():
    items = [(1, ("a",)), (2, ("b",)), (1, None), (3, ("c",)), (3, ("d",))]
    parsed = [0]
    chunks = list(prepared_item_chunks(iter(items), 2, parsed))
    assert [n for n, _ in chunks] == [2, 2, 1]
    assert [dict(b.articles) for _, b in chunks] == [{1: ("a",), 2: ("b",)}, {3: ("c",)}, {3: ("d",)}]
    assert parsed == [5]
