"""Pick the evidence sentences the model reads: the prompt is the latency.

The local model reads 30-50 tokens a second, so it gets the few sentences of the
retrieved passages that bear on the question, not whole chunks, each with the
sentence before it when that one says who is speaking ("They argue ..." after
"Prosecutors say ...").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rag.text import Sentence, claimed_speaker, idf, numbers, passage_sentences, stems
from rag.types import Passage
from rag.understand import asks_quantity

# Sentences from the best passages get a head start over equally matching later ones.
_RANK_DECAY = 0.15
# A sentence whose subject is a pronoun or a role ("They", "The company", "He said")
# cannot be attributed without the sentence before it.
_NEEDS_CONTEXT = re.compile(
    r"^\W{0,3}(?:he|she|they|it|we|his|her|their|its|this|that|these|those|the\s(?:company|firm|"
    r"group|government|ministry|agency|court|judge|lawyers?|prosecutors?|spokesperson|"
    r"spokesman|spokeswoman|official|officials|statement|report|move|deal))\b",
    re.I,
)
# How far an article's best sentence (with its speaker) may overrun the budget.
OVERRUN = 1.25
_QUOTE_MARKS = frozenset('"“”')
_PRONOUN_SPEAKERS = frozenset("he she they it we i".split())


@dataclass(frozen=True)
class Budget:
    """How much evidence a question kind gets: characters, and articles at least."""

    chars: int = 900
    min_articles: int = 1
    by_date: bool = False


# Summaries and timelines read several articles, in date order.
BUDGETS = {
    "summary": Budget(chars=1100, min_articles=3, by_date=True),
    "latest": Budget(chars=1000, min_articles=3),
    "attribution": Budget(chars=1000),
    "comparison": Budget(chars=1100, min_articles=2),
}


def budget_for(kind: str) -> Budget:
    """The evidence budget of a question kind (see :data:`BUDGETS`)."""
    return BUDGETS.get(kind, Budget())


# An attribution question's evidence: sentences whose speaker is the one asked about.
SPEAKER_BOOST = 1.5
# "How many ...?": sentences stating a number count more.
NUMBER_BOOST = 1.3
# An article's best sentence is read first only when it scores at least this share of
# the best sentence overall: an unrelated article's "best" sentence is noise that
# takes the room of a second sentence from the article that answers.
FIRST_SHARE = 0.3


def scored_sentences(
    question: str, passages: list[Passage], speaker: str | None = None
) -> list[tuple[Sentence, float]]:
    """Every passage sentence with its relevance to ``question``, best first.

    Relevance is the IDF-weighted overlap of content-word stems, slightly discounted
    for passages further down the ranking; with ``speaker`` (an attribution question),
    sentences that quote that speaker (or follow one naming them) count more; for a
    question asking for a quantity, sentences stating a number do.
    """
    sentences = passage_sentences(passages)
    wanted = stems(question)
    weights = idf((stems(s.text) for s in sentences), wanted)
    rank = {p.chunk_id: i for i, p in enumerate(passages)}
    who = stems(speaker) - {"s"} if speaker else set()
    quantity = asks_quantity(question)

    def score(s: Sentence) -> float:
        value = sum(weights[t] for t in stems(s.text) & wanted)
        value *= 1.0 - _RANK_DECAY * math.log1p(rank[s.passage.chunk_id])
        if who and who & stems(f"{s.before} {s.text}"):
            value *= SPEAKER_BOOST
        if quantity and numbers(s.text):
            value *= NUMBER_BOOST
        return value

    scored = [(s, score(s)) for s in sentences]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


def needs_context(sentence: Sentence) -> bool:
    """Whether a sentence's speaker or subject is only in the sentence before it.

    >>> from rag.types import Passage
    >>> p = Passage("c", "a", "", "T", None, None, None, 0, 0)
    >>> needs_context(Sentence(p, 0, 0, "They argue that he lied.", "Prosecutors spoke."))
    True
    >>> needs_context(Sentence(p, 0, 0, "The G7 agreed a loan.", "Leaders met."))
    False
    """
    if not sentence.before:
        return False
    text = sentence.text
    if _NEEDS_CONTEXT.match(text):
        return True
    # A quote whose speaker is a pronoun ("“Sam didn’t defraud anyone,” he said") or
    # not given at all: who speaks is in the sentence before.
    who = claimed_speaker(text)
    if who is not None:
        return who.split()[-1].casefold() in _PRONOUN_SPEAKERS
    return text.lstrip()[:1] in _QUOTE_MARKS


def select_evidence(
    question: str,
    passages: list[Passage],
    budget_chars: int = 900,
    min_articles: int = 1,
    by_date: bool = False,
    context: bool = True,
    speaker: str | None = None,
) -> list[Sentence]:
    """The sentences most related to ``question`` that fit in ``budget_chars``.

    First the best sentence of every article that bears on it (see
    :data:`FIRST_SHARE`), articles in retrieval order (retrieval
    already interleaves a multi-part question's parts, so each part gets evidence),
    then the next best sentences overall. With ``context``, a sentence whose speaker
    is in the sentence before brings that sentence along. The result is grouped by
    passage (retrieval order, or publication date with ``by_date``), sentences in
    reading order.

    Example:
        >>> from rag.types import Passage
        >>> p = Passage("a:0", "a", "Prosecutors spoke. They argue that he lied.", "T",
        ...             None, None, None, 0, 44)
        >>> [s.text for s in select_evidence("what do they argue", [p])]
        ['Prosecutors spoke.', 'They argue that he lied.']
    """
    scored = scored_sentences(question, passages, speaker)
    previous = _previous_sentences([s for s, _ in scored])
    best_per_article: dict[str, tuple[Sentence, float]] = {}
    for pair in scored:
        best_per_article.setdefault(pair[0].passage.article_id, pair)
    first_seen = list(dict.fromkeys(p.article_id for p in passages))
    top = scored[0][1] if scored else 0.0
    firsts = [
        best_per_article[a]
        for a in first_seen
        if a in best_per_article and best_per_article[a][1] >= FIRST_SHARE * top
    ]
    chosen: dict[tuple[str, int], Sentence] = {}
    used = 0
    reserve = max(0, min_articles - 1) * 120  # room for the first sentences of more articles
    for position, (s, score) in enumerate(firsts + scored):
        key = (s.passage.chunk_id, s.start)
        if key in chosen or (score <= 0 and chosen):
            continue
        extra = []
        if context and needs_context(s):
            before = previous.get((s.passage.chunk_id, s.start))
            if before is not None and (before.passage.chunk_id, before.start) not in chosen:
                extra.append(before)
        size = len(s.text) + sum(len(e.text) for e in extra)
        # An article's best sentence may overrun the budget a little to bring its
        # speaker; a quote without its speaker is left out rather than misread.
        first = position < len(firsts)
        limit = int(budget_chars * OVERRUN) if first else budget_chars - reserve
        if used + size > limit and chosen:
            continue
        for e in [*extra, s]:
            chosen[(e.passage.chunk_id, e.start)] = e
        used += size
    rank = {p.chunk_id: i for i, p in enumerate(passages)}
    if by_date:
        return sorted(
            chosen.values(),
            key=lambda s: (s.passage.published_at or "", rank[s.passage.chunk_id], s.start),
        )
    return sorted(chosen.values(), key=lambda s: (rank[s.passage.chunk_id], s.start))


def _previous_sentences(sentences: list[Sentence]) -> dict[tuple[str, int], Sentence]:
    """Each sentence's predecessor, keyed by (chunk id, start): the sentence before it
    in its passage, or for a passage's first sentence the passage's ``lead`` (from the
    chunk before; its offsets lie before the passage, so it is never quoted)."""
    out: dict[tuple[str, int], Sentence] = {}
    last: Sentence | None = None
    for s in sorted(sentences, key=lambda s: (s.passage.chunk_id, s.start)):
        if last is not None and last.passage.chunk_id == s.passage.chunk_id:
            out[(s.passage.chunk_id, s.start)] = last
        elif s.before:
            p = s.passage
            out[(p.chunk_id, s.start)] = Sentence(
                p, p.start - 1 - len(s.before), p.start - 1, s.before
            )
        last = s
    return out
