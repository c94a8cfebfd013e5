"""Pick the evidence sentences the model reads: the prompt is the latency.

The local model reads 30-50 tokens a second, so it gets the few sentences of the
retrieved passages that bear on the question, not whole chunks.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ingest.sentences import sentence_spans
from rag.types import Passage
from vectorstore.lexical import query_terms

# Sentences from the best passages get a head start over equally matching later ones.
_RANK_DECAY = 0.15


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage; ``start``/``end`` are offsets in the article body."""

    passage: Passage
    start: int
    end: int
    text: str


def stems(text: str) -> set[str]:
    """Content-word stems (first 6 letters) for fuzzy overlap between texts.

    >>> sorted(stems("The loans were approved"))
    ['approv', 'loans']
    """
    return {t[:6] for t in query_terms(text)}


def header_stems(passage: Passage) -> set[str]:
    """Stems of what identifies a passage's article: title, outlet, date in words.

    Answers name their sources ("The Verge reported on November 6 that ..."), and
    those words are in the article's metadata, not in its sentences.
    """
    words = [passage.title, passage.source or ""]
    if passage.day:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(passage.day)
            words.append(f"{day:%B} {day.day} {day.year}")
    return stems(" ".join(words))


def passage_sentences(passages: Iterable[Passage]) -> list[Sentence]:
    """Every sentence of every passage, in passage order."""
    out = []
    for passage in passages:
        for a, b in sentence_spans(passage.text):
            out.append(Sentence(passage, passage.start + a, passage.start + b, passage.text[a:b]))
    return out


def scored_sentences(question: str, passages: list[Passage]) -> list[tuple[Sentence, float]]:
    """Every passage sentence with its relevance to ``question``, best first.

    Relevance is the IDF-weighted overlap of content-word stems, slightly discounted
    for passages further down the ranking.
    """
    sentences = passage_sentences(passages)
    wanted = stems(question)
    weights = _idf(wanted, sentences)
    rank = {p.chunk_id: i for i, p in enumerate(passages)}
    scored = [
        (
            s,
            sum(weights[t] for t in stems(s.text) & wanted)
            * (1.0 - _RANK_DECAY * math.log1p(rank[s.passage.chunk_id])),
        )
        for s in sentences
    ]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


def select_evidence(
    question: str, passages: list[Passage], budget_chars: int = 900
) -> list[Sentence]:
    """The sentences most related to ``question`` that fit in ``budget_chars``.

    First the best sentence of every article, articles in retrieval order (retrieval
    already interleaves a multi-part question's parts, so each part gets evidence),
    then the next best sentences overall; the result is grouped by passage in
    retrieval order, sentences in reading order.
    """
    scored = scored_sentences(question, passages)
    best_per_article: dict[str, tuple[Sentence, float]] = {}
    for pair in scored:
        best_per_article.setdefault(pair[0].passage.article_id, pair)
    first_seen = list(dict.fromkeys(p.article_id for p in passages))
    firsts = [best_per_article[a] for a in first_seen if a in best_per_article]
    chosen: dict[tuple[str, int], Sentence] = {}
    used = 0
    for s, score in firsts + scored:
        key = (s.passage.chunk_id, s.start)
        if key in chosen or (score <= 0 and chosen):
            continue
        if used + len(s.text) > budget_chars and chosen:
            continue
        chosen[key] = s
        used += len(s.text)
    rank = {p.chunk_id: i for i, p in enumerate(passages)}
    return sorted(chosen.values(), key=lambda s: (rank[s.passage.chunk_id], s.start))


def _idf(terms: set[str], sentences: list[Sentence]) -> dict[str, float]:
    n = len(sentences)
    df = dict.fromkeys(terms, 0)
    for s in sentences:
        for t in stems(s.text) & terms:
            df[t] += 1
    return {t: 1.0 + math.log((n + 1) / (df[t] + 1)) for t in terms}
