"""Chunks: whole sentences, exact offsets, size limit, balanced sizes, full coverage."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import DEV_ARTICLES

from ingest.article import Article
from ingest.chunking import Chunk, article_header, chunk_article
from ingest.sentences import sentence_spans


def _article(
    body: str,
    aid: str = "art",
    title: str = "T",
    source: str | None = None,
    published_at: str | None = None,
) -> Article:
    return Article(id=aid, title=title, body=body, source=source, published_at=published_at)


def _sentences(lengths: list[int]) -> str:
    """Sentences of exactly the given lengths ("Wooo…o."), one space apart."""
    text = " ".join("W" + "o" * (n - 2) + "." for n in lengths)
    assert [b - a for a, b in sentence_spans(text)] == lengths
    return text


def check_chunks(article: Article, chunks: list[Chunk], max_chars: int) -> None:
    """Every invariant a chunking must keep, checked against the body itself."""
    body = article.body
    seen = [0] * len(body)
    previous_end = 0
    sentence_set = sentence_spans(body)
    starts = {a for a, _ in sentence_set}
    ends = {b for _, b in sentence_set}
    for n, chunk in enumerate(chunks):
        assert chunk.n == n and chunk.id == f"{article.id}:{n}"
        assert body[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert len(chunk.text) <= max_chars
        assert chunk.start >= previous_end and body[previous_end : chunk.start].strip() == ""
        previous_end = chunk.end
        for i in range(chunk.start, chunk.end):
            seen[i] += 1
        # whole sentences, except where an over-long sentence had to be cut at a space
        if chunk.start not in starts:
            assert body[chunk.start - 1].isspace() or _in_long_word(body, chunk.start, max_chars)
        if chunk.end not in ends:
            assert body[chunk.end].isspace() or _in_long_word(body, chunk.end, max_chars)
    assert body[previous_end:].strip() == ""
    for i, ch in enumerate(body):
        if not ch.isspace():
            assert seen[i] == 1, f"character {i} ({ch!r}) is in {seen[i]} chunks"
    for a, b in sentence_set:  # a sentence that fits is never split
        if b - a <= max_chars:
            assert any(c.start <= a and b <= c.end for c in chunks)


def _in_long_word(body: str, i: int, max_chars: int) -> bool:
    """Whether offset ``i`` falls inside a word longer than ``max_chars``."""
    a = i
    while a > 0 and not body[a - 1].isspace():
        a -= 1
    b = i
    while b < len(body) and not body[b].isspace():
        b += 1
    return a < i < b and b - a > max_chars


def _fewest_chunks(spans: list[tuple[int, int]], max_chars: int) -> int:
    """Reference: greedy packing of sentences (optimal for the count)."""
    count, start = 1, spans[0][0]
    for a, b in spans:
        if b - start > max_chars:
            count, start = count + 1, a
    return count


def _dev_bodies() -> list[tuple[str, str, str]]:
    with DEV_ARTICLES.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [(r["id"], r["title"], r["body"]) for r in records]


@pytest.mark.parametrize("max_chars", [1000, 400, 200])
def test_invariants_on_every_dev_article(max_chars: int) -> None:
    bodies = _dev_bodies()
    assert len(bodies) == 150
    for aid, title, body in bodies:
        article = Article(id=aid, title=title, body=body)
        chunks = chunk_article(article, max_chars)
        assert chunks, aid
        check_chunks(article, chunks, max_chars)


def test_dev_articles_get_balanced_chunks() -> None:
    """With ~1000-character chunks, no article ends in a scrap of a chunk."""
    for aid, title, body in _dev_bodies():
        chunks = chunk_article(Article(id=aid, title=title, body=body), 1000)
        spans = sentence_spans(body)
        longest = max(b - a for a, b in spans)
        if len(chunks) > 1 and longest <= 250:
            sizes = [len(c.text) for c in chunks]
            assert min(sizes) >= 250, (aid, sizes)
            assert len(chunks) == _fewest_chunks(spans, 1000), aid


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(6, 60), min_size=1, max_size=60),
    max_chars=st.integers(120, 600),
)
def test_fewest_chunks_and_balanced_sizes(lengths: list[int], max_chars: int) -> None:
    body = _sentences(lengths)
    article = _article(body)
    chunks = chunk_article(article, max_chars)
    check_chunks(article, chunks, max_chars)
    spans = sentence_spans(body)
    assert len(chunks) == _fewest_chunks(spans, max_chars)
    if len(chunks) > 1:  # sentences are at most max/2; no chunk is a leftover scrap
        assert min(len(c.text) for c in chunks) >= max_chars / 4


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab AB.?\n\t'\"é")), max_size=600),
    max_chars=st.integers(1, 120),
)
def test_invariants_on_any_text(text: str, max_chars: int) -> None:
    article = _article(text)
    check_chunks(article, chunk_article(article, max_chars), max_chars)


def test_no_tiny_tail_chunk() -> None:
    # old behaviour: [500 + 499] then a 49-character scrap; both halves fit in 1000
    body = _sentences([500, 499, 49])
    sizes = [len(c.text) for c in chunk_article(_article(body), 1000)]
    assert sizes == [500, 499 + 1 + 49]

    body = _sentences([100] * 13)  # 1312 characters: two chunks of about 650
    sizes = [len(c.text) for c in chunk_article(_article(body), 1000)]
    assert len(sizes) == 2 and abs(sizes[0] - sizes[1]) <= 101

    body = _sentences([100] * 25)  # 2524 characters: three chunks of about 840
    sizes = [len(c.text) for c in chunk_article(_article(body), 1000)]
    assert len(sizes) == 3 and max(sizes) - min(sizes) <= 101


def test_short_article_is_one_chunk_and_empty_body_none() -> None:
    article = _article("One. Two two. Three three three.")
    assert [c.text for c in chunk_article(article, 200)] == ["One. Two two. Three three three."]
    assert chunk_article(_article(""), 200) == []
    assert chunk_article(_article(" \n\n "), 200) == []


def test_over_long_sentence_is_cut_at_spaces_into_even_pieces() -> None:
    sentence = "Officials " + " ".join(f"w{i:03d}" for i in range(600)) + " ended."  # ~3000
    body = "Short opener. " + sentence + " Short closer."
    article = _article(body)
    chunks = chunk_article(article, 1000)
    check_chunks(article, chunks, 1000)
    assert len(chunks) == 4  # 3044 characters: ceil(3044 / 1000) chunks and no more
    for chunk in chunks[:-1]:
        assert body[chunk.end] == " ", "cut at a space"
    sizes = [len(c.text) for c in chunks]
    assert all(size >= 1000 - 5 for size in sizes[:-2]), sizes
    assert abs(sizes[-1] - sizes[-2]) <= 12, sizes


def test_word_longer_than_the_limit_is_cut_into_equal_parts() -> None:
    body = "See " + "x" * 2500 + " now."
    article = _article(body)
    chunks = chunk_article(article, 1000)
    assert "".join(c.text for c in chunks).replace(" ", "") == body.replace(" ", "")
    assert len(chunks) == 3 and all(len(c.text) <= 1000 for c in chunks)
    assert min(len(c.text) for c in chunks) >= 800


def test_invalid_limit() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_article(_article("Some text."), 0)


def test_header_ids_and_hashes() -> None:
    meta = {"source": "Daily Ledger", "published_at": "2023-10-30T09:00:00+00:00"}
    body = "A first sentence here. A second one."
    article = _article(body, "bank-1", "Bank raises rates", **meta)
    assert article_header(article) == "Bank raises rates | Daily Ledger | 2023-10-30"
    assert article_header(_article("x", title="T")) == "T"
    (chunk,) = chunk_article(article, 200)
    assert chunk.id == "bank-1:0"
    assert chunk.indexed_text == "Bank raises rates | Daily Ledger | 2023-10-30\n" + chunk.text
    same = chunk_article(_article(body, "other", "Bank raises rates", **meta), 200)[0]
    assert same.id == "other:0"
    assert same.hash == chunk.hash  # same text and header: the embedding can be shared
    retitled = chunk_article(_article(body, "bank-1", "Rates up", **meta), 200)[0]
    assert retitled.hash != chunk.hash


def test_same_length_edit_late_in_the_body_keeps_earlier_chunks() -> None:
    body = _sentences([80] * 30)
    edited = body[:-20] + body[-20:].replace("ooo", "OOO", 1)
    assert edited != body and len(edited) == len(body)
    before = chunk_article(_article(body), 500)
    after = chunk_article(_article(edited), 500)
    assert [c.hash for c in before[:-1]] == [c.hash for c in after[:-1]]
    assert before[-1].hash != after[-1].hash


def test_an_edit_keeps_the_chunks_before_it() -> None:
    sentences = [
        f"Sentence number {i} reports a detail of the story at some length." for i in range(80)
    ]
    before = _article(" ".join(sentences))
    sentences[60] = "Sentence number 60 was corrected after publication with a longer wording."
    after = _article(" ".join(sentences))
    old, new = chunk_article(before, 1000), chunk_article(after, 1000)
    edited = next(i for i, c in enumerate(new) if "corrected" in c.text)
    assert edited >= 3
    assert [c.text for c in new[:edited]] == [c.text for c in old[:edited]]
    assert {c.hash for c in new[:edited]} <= {c.hash for c in old}
