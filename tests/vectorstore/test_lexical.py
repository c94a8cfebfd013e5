"""The BM25 index: incremental sync from the store, filters, other writers' changes."""

from __future__ import annotations

from collections.abc import Callable

from ingest.article import Article
from ingest.chunking import chunk_article
from vectorstore.lexical import LexicalFilter, LexicalIndex, query_terms
from vectorstore.store import Store


def _write(
    store: Store, aid: str, body: str, source: str = "Wire", day: str = "2023-10-01"
) -> None:
    article = Article(id=aid, title=f"Story {aid}", body=body, source=source, published_at=day)
    store.write([(article, chunk_article(article, 300))])


def test_search_ranks_matching_chunks(store: Store) -> None:
    _write(store, "a", "The harbour bridge reopened after repairs. Traffic resumed at noon.")
    _write(store, "b", "Wheat prices climbed as drought hit the plains. Farmers worried.")
    index = LexicalIndex(store)
    hits = index.search("When did the harbour bridge reopen?", 5)
    assert hits[0][0].article_id == "a"
    assert "harbour bridge" in hits[0][0].text
    assert all(h.article_id != "b" for h, _ in hits), "no shared words, no hit"


def test_refresh_is_incremental_and_sees_other_writers(
    store: Store, make_store: Callable[..., Store]
) -> None:
    _write(store, "a", "Volcano erupts near the village. Ash covered roofs.")
    index = LexicalIndex(store)
    assert index.refresh() is True
    assert index.refresh() is False, "nothing changed: no sync"
    count = index.count()

    other = make_store()  # another process's view of the same store
    _write(other, "b", "Volcano monitoring teams raised the alert level.")
    assert next(h.article_id for h, _ in index.search("volcano alert level", 5)) == "b"
    assert index.count() > count

    other.delete("a")
    assert all(h.article_id != "a" for h, _ in index.search("volcano ash roofs", 5))


def test_changed_article_replaces_its_old_text(store: Store) -> None:
    _write(store, "a", "The mayor opened a new library downtown.")
    index = LexicalIndex(store)
    assert index.search("library", 5)
    _write(store, "a", "The mayor opened a new swimming pool downtown.")
    assert index.search("library", 5) == []
    assert index.search("swimming pool", 5)[0][0].article_id == "a"


def test_persisted_index_survives_reopen(store: Store) -> None:
    _write(store, "a", "Comet visible tonight in the northern sky.")
    LexicalIndex(store).refresh()
    reopened = LexicalIndex(store)
    assert reopened.count() > 0
    assert reopened.refresh() is False, "the stored revision matches: no re-sync"


def test_filters_by_outlet_and_date(store: Store) -> None:
    _write(store, "a", "Election results announced today.", source="North Star", day="2023-10-01")
    _write(
        store, "b", "Election results contested in court.", source="South Wind", day="2023-12-01"
    )
    index = LexicalIndex(store)
    by_outlet = index.search("election results", 5, LexicalFilter(sources=("South Wind",)))
    assert [h.article_id for h, _ in by_outlet] == ["b"]
    ts_nov = 1698796800  # 2023-11-01
    after = index.search("election results", 5, LexicalFilter(after_ts=ts_nov))
    assert [h.article_id for h, _ in after] == ["b"]
    before = index.search("election results", 5, LexicalFilter(before_ts=ts_nov))
    assert [h.article_id for h, _ in before] == ["a"]


def test_query_terms_drop_stopwords_and_punctuation() -> None:
    assert query_terms('What did "NATO" say?') == ["nato", "say"]
    assert query_terms("the of and") == []


def test_terms_in_most_rows_are_left_out_and_counts_follow_changes(store: Store) -> None:
    for n in range(25):
        _write(store, f"c{n}", f"The council met on day {n}. Members voted on item {n}.")
    _write(store, "light", "The council discussed the old lighthouse. Repairs start soon.")
    index = LexicalIndex(store)

    # "council" is in every article: in the sentence index it would pull all of them
    # in; only the rare word decides what matches. Whole chunks keep every term.
    assert {h.article_id for h, _ in index.search_sentences("council lighthouse", 10)} == {"light"}
    assert len(index.search("council lighthouse", 10)) == 10
    # When every term is common, the rarest still search (nothing is lost).
    assert len(index.search_sentences("council", 10)) == 10

    # Term counts are per index state: once "lighthouse" is everywhere too, both
    # words are common and the rarest two are searched.
    for n in range(25):
        _write(store, f"l{n}", f"A lighthouse keeper wrote to the council, letter {n}.")
    assert len({h.article_id for h, _ in index.search_sentences("council lighthouse", 10)}) == 10
