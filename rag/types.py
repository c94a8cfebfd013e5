"""The typed objects ``rag`` hands to its callers: Passage, Citation, Answer, Filters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.article import normalize_date, to_timestamp
from vectorstore.lexical import LexicalFilter
from vectorstore.store import StoredChunk

DECLINE_TEXT = "The ingested articles don't cover this."


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: ``text`` is ``article.body[start:end]`` verbatim."""

    chunk_id: str
    article_id: str
    text: str
    title: str
    source: str | None
    url: str | None
    published_at: str | None
    start: int
    end: int
    score: float = 0.0
    similarity: float = 0.0
    origin: str = ""
    # The article's sentence just before this passage (its first sentence's speaker
    # context: "“...,” he said" opening a chunk names "he" in the chunk before).
    lead: str = ""
    # "full", or "teaser" / "paywalled" when only part of the article could be had.
    completeness: str = "full"
    # The story the article belongs to (near-duplicates share one; else its own id).
    story_id: str = ""

    @classmethod
    def from_stored(
        cls, chunk: StoredChunk, score: float = 0.0, similarity: float = 0.0
    ) -> Passage:
        """A passage from a stored chunk and its retrieval scores."""
        meta = chunk.meta
        return cls(
            chunk_id=chunk.id,
            article_id=chunk.article_id,
            text=chunk.text,
            title=str(meta.get("title", "")),
            source=meta.get("source"),
            url=meta.get("url"),
            published_at=meta.get("published_at"),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", len(chunk.text))),
            score=score,
            similarity=similarity,
            origin=str(meta.get("origin", "")),
            completeness=str(meta.get("completeness") or "full"),
            story_id=str(meta.get("story_id") or chunk.article_id),
        )

    @property
    def day(self) -> str | None:
        """The publication date (``YYYY-MM-DD``) when known."""
        return self.published_at[:10] if self.published_at else None


@dataclass(frozen=True)
class Citation:
    """A numbered source for a claim: the quote is verbatim from the article body."""

    n: int
    article_id: str
    title: str
    source: str | None
    url: str | None
    published_at: str | None
    quote: str
    chunk_id: str
    start: int
    end: int
    # The sentence before the quote in its article: who "they" or "he" is.
    context: str = ""
    # "full", "teaser" or "paywalled": shown with the source ("teaser only").
    completeness: str = "full"


@dataclass
class Answer:
    """An answer with its citations; ``declined`` when the articles do not cover it.

    ``text`` carries ``[n]`` markers that refer to ``citations[i].n``.
    """

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    declined: bool = False
    standalone_question: str = ""
    backend: str = ""
    fallback_reason: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # For the reader: an outlet named but not stored, a period with no articles ...
    notes: list[str] = field(default_factory=list)
    # The question's kind (factoid, attribution, summary, yesno, comparison).
    kind: str = ""
    # Sentences the model wrote that no quote supports (left out of ``text``).
    unsupported: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by ``newsqa ask --json``)."""
        return asdict(self)


@dataclass(frozen=True)
class Retrieval:
    """First event of :func:`rag.stream_answer`: what was searched and found."""

    question: str
    standalone_question: str
    passages: list[Passage]


@dataclass(frozen=True)
class Filters:
    """Narrow retrieval to outlets and a published-date range (inclusive).

    >>> Filters(sources=("BBC",), after="2023-10-01").to_where()
    {'$and': [{'source': {'$in': ['BBC']}}, {'published_ts': {'$gte': 1696118400}}]}
    """

    sources: tuple[str, ...] = ()
    after: str | None = None
    before: str | None = None

    @classmethod
    def coerce(cls, value: Filters | dict[str, Any] | None) -> Filters | None:
        """Accept ``Filters``, a dict with ``source(s)``/``after``/``before``, or ``None``."""
        if value is None or isinstance(value, Filters):
            return value
        sources = value.get("sources", value.get("source", ()))
        if isinstance(sources, str):
            sources = (sources,)
        return cls(tuple(sources), value.get("after"), value.get("before"))

    @property
    def after_ts(self) -> int | None:
        """Start of the range as Unix seconds."""
        return to_timestamp(normalize_date(self.after)) if self.after else None

    @property
    def before_ts(self) -> int | None:
        """End of the range as Unix seconds; a bare date includes that whole day."""
        if not self.before:
            return None
        ts = to_timestamp(normalize_date(self.before))
        if ts is not None and len(self.before.strip()) == 10:
            ts += 86399
        return ts

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return not (self.sources or self.after or self.before)

    def to_where(self) -> dict[str, Any] | None:
        """The same filter as a Chroma ``where`` clause."""
        parts: list[dict[str, Any]] = []
        if self.sources:
            parts.append({"source": {"$in": list(self.sources)}})
        if self.after_ts is not None:
            parts.append({"published_ts": {"$gte": self.after_ts}})
        if self.before_ts is not None:
            parts.append({"published_ts": {"$lte": self.before_ts}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def to_lexical(self) -> LexicalFilter:
        """The same filter for the lexical index."""
        return LexicalFilter(self.sources, self.after_ts, self.before_ts)

    def describe(self) -> str:
        """Human-readable summary, e.g. ``outlets: BBC; from 2023-10-01``."""
        bits = []
        if self.sources:
            bits.append("outlets: " + ", ".join(self.sources))
        if self.after:
            bits.append(f"from {self.after}")
        if self.before:
            bits.append(f"until {self.before}")
        return "; ".join(bits) or "no filters"
