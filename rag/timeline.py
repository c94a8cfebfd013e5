"""Timelines: what the articles on a topic said, day by day.

"What happened so far with X?" is answered by the relevant articles' key sentences in
date order, grouped by day, each quoted verbatim and cited. Articles grouped into one
story at ingest (near-duplicates, ``story_id``) give one entry, naming the other
outlets that ran it. No model is called: every line is a quote.

Example:
    >>> t = build_timeline("the ferry strike", retriever_for(settings))  # doctest: +SKIP
    >>> for day, entries in t.by_day().items():                        # doctest: +SKIP
    ...     print(day, [e.citation.quote for e in entries])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from rag.cite import citation_for
from rag.evidence import scored_sentences
from rag.retrieve import MIN_SIMILARITY, RECENCY_POOL, Retriever
from rag.text import Sentence
from rag.types import Citation
from rag.understand import topic_text
from rag.when import time_scope

# Articles shown at most (after stories are collapsed).
TIMELINE_ARTICLES = 12


@dataclass(frozen=True)
class TimelineEntry:
    """One story's key sentence on its first day, with the other outlets that ran it."""

    day: str
    citation: Citation
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timeline:
    """A topic's entries, oldest first; ``notes`` as for answers (a dropped period)."""

    topic: str
    entries: list[TimelineEntry] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    def by_day(self) -> dict[str, list[TimelineEntry]]:
        """The entries grouped by day, in date order.

        >>> c = Citation(1, "a", "T", "Reuters", None, "2023-11-14", "Q.", "a:0", 0, 2)
        >>> list(Timeline("x", [TimelineEntry("2023-11-14", c)]).by_day())
        ['2023-11-14']
        """
        days: dict[str, list[TimelineEntry]] = {}
        for entry in self.entries:
            days.setdefault(entry.day, []).append(entry)
        return days


def build_timeline(
    topic: str,
    retriever: Retriever,
    as_of: date | datetime | str | None = None,
    articles: int = TIMELINE_ARTICLES,
) -> Timeline:
    """The timeline of ``topic``: per story, the best sentence of its first report.

    Only passages about the topic count (MiniLM similarity at least
    :data:`rag.retrieve.MIN_SIMILARITY`); nothing published after ``as_of``.
    """
    scope = time_scope(topic, as_of)
    found = retriever.search(topic, articles * RECENCY_POOL, scope=scope)
    relevant = [p for p in found.passages if p.similarity >= MIN_SIMILARITY]
    best: dict[str, Sentence] = {}
    for sentence, score in scored_sentences(topic_text(topic), relevant):
        if score > 0:
            best.setdefault(sentence.passage.article_id, sentence)
    stories: dict[str, list[Sentence]] = {}
    for sentence in sorted(best.values(), key=_when):
        p = sentence.passage
        stories.setdefault(p.story_id or p.article_id, []).append(sentence)
    entries = []
    for n, group in enumerate(list(stories.values())[:articles], 1):
        first = group[0]
        others = tuple(dict.fromkeys(s.passage.source or s.passage.title for s in group[1:]))
        day = first.passage.day or "undated"
        entries.append(TimelineEntry(day, citation_for(n, first), others))
    return Timeline(topic, entries, found.notes)


def _when(s: Sentence) -> tuple[str, int]:
    return (s.passage.published_at or "9999", s.start)
