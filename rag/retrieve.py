"""Hybrid retrieval: dense (Chroma) and lexical (BM25) fused by reciprocal rank, per
question part, then merged so every part of a multi-part question is represented.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ingest.sentences import sentence_spans
from newsqa.settings import Settings
from rag.query import Part, QueryPlan, day_range, plan_query
from rag.types import Filters, Passage
from rag.understand import topic_text
from rag.when import TimeScope, time_scope
from vectorstore.lexical import LexicalIndex
from vectorstore.store import Store, StoredChunk

# Reciprocal-rank fusion: score = sum of weight / (RRF_K + rank). Measured on
# MultiHop-RAG dev (see README "Quality"): the small MiniLM embedder ranks news
# evidence worse than BM25, so the dense list counts for less than the lexical ones.
RRF_K = 10
DENSE_WEIGHT = 0.3
# Each ranking contributes this many candidates per requested passage.
CANDIDATES_PER_K = 3
MIN_CANDIDATES = 20
# Below this cosine similarity (MiniLM) no passage is about the question.
MIN_SIMILARITY = 0.3
# A teaser or paywalled article's passage counts this share of its score in the order.
PARTIAL = 0.7
# No article may fill the top k alone: multi-hop answers need several articles.
MAX_PER_ARTICLE = 4
_SEARCH_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsqa-search")


# A period named without a year ("in September") with nothing about the question is
# looked for in up to this many earlier years.
YEARLESS_LOOKBACK = 5
# "The latest on X": this many times k relevant candidates, newest first.
RECENCY_POOL = 3
# ... of which those scoring at least this share of the best count as relevant.
RECENCY_RELEVANT = 0.5


@dataclass(frozen=True)
class SearchResult:
    """Passages for a question, the plan that found them, and notes for the reader."""

    passages: list[Passage]
    plan: QueryPlan
    notes: tuple[str, ...] = ()
    # The period searched: the question's, an earlier year's, or none (dropped).
    scope: TimeScope | None = None


@dataclass(frozen=True)
class SearchOptions:
    """Which retrieval rules apply (answer-pipeline steps, see ``newsqa.settings``)."""

    outlet_filters: bool = True
    part_search: bool = True
    time_filters: bool = True
    recency: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchOptions:
        """The options ``settings`` switches on."""
        return cls(
            settings.step("outlet_filters"),
            settings.step("part_search"),
            settings.step("time_filters"),
            settings.step("recency"),
        )


def _switched(plan: QueryPlan, options: SearchOptions) -> QueryPlan:
    """``plan`` without the outlet/day filters or the separate parts switched off."""
    parts = plan.parts
    if not options.outlet_filters:
        parts = tuple(Part(p.text) for p in parts)
    if not options.part_search and parts:
        sources = tuple(dict.fromkeys(s for p in parts for s in p.sources))
        days = {p.day for p in parts}
        parts = (Part(plan.question, sources, days.pop() if len(days) == 1 else None),)
    return replace(plan, parts=parts)


def _within(filters: Filters, after: date | None, before: date | None) -> Filters:
    """``filters`` narrowed to the days ``after``..``before`` (inclusive, either open)."""
    new_after, new_before = filters.after, filters.before
    if after is not None:
        ts = _day_start(after)
        if filters.after_ts is None or ts > filters.after_ts:
            new_after = _iso(ts)
    if before is not None:
        ts = _day_start(before) + 86399
        if filters.before_ts is None or ts < filters.before_ts:
            new_before = _iso(ts)
    return replace(filters, after=new_after, before=new_before)


def _day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def newest_first(passages: list[Passage], k: int) -> list[Passage]:
    """The ``k`` passages to show for "the latest on ...": the relevant ones (scoring at
    least :data:`RECENCY_RELEVANT` of the best) newest first, then the rest.

    >>> from rag.types import Passage
    >>> ps = [Passage(str(i), str(i), "", "", None, None, d, 0, 0, score=s)
    ...       for i, (d, s) in enumerate([("2023-10-01", 1.0), ("2023-12-01", 0.8),
    ...                                   ("2023-12-20", 0.1)])]
    >>> [p.published_at for p in newest_first(ps, 2)]
    ['2023-12-01', '2023-10-01']
    """
    if not passages:
        return []
    best = max(p.score for p in passages)
    relevant = [p for p in passages if p.score >= RECENCY_RELEVANT * best]
    relevant.sort(key=lambda p: p.published_at or "", reverse=True)
    # Several articles, not one article's chunks: at most two chunks each first.
    first: list[Passage] = []
    later: list[Passage] = []
    per_article: dict[str, int] = {}
    for p in relevant:
        seen = per_article.get(p.article_id, 0)
        (first if seen < 2 else later).append(p)
        per_article[p.article_id] = seen + 1
    rest = [p for p in passages if p.score < RECENCY_RELEVANT * best]
    return (first + later + rest)[:k]


@dataclass
class _Hit:
    chunk: StoredChunk
    score: float
    similarity: float


class Retriever:
    """Dense + lexical retrieval over one store, aware of outlets and dates.

    Example:
        >>> r = Retriever(Store(Settings.from_env()))                 # doctest: +SKIP
        >>> [p.title for p in r.retrieve("G7 loan for Ukraine", k=2)]  # doctest: +SKIP
        ["Kyiv slams Putin's offer ...", ...]
    """

    def __init__(self, store: Store, lexical: LexicalIndex | None = None) -> None:
        self.store = store
        self.lexical = lexical or LexicalIndex(store)

    def outlets(self) -> list[str]:
        """Outlets of the stored articles (from the lexical index, kept up to date)."""
        return self.lexical.sources()

    def retrieve(
        self,
        question: str,
        k: int = 6,
        where: Filters | dict[str, Any] | None = None,
        as_of: date | datetime | str | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``question``, optionally filtered; dates in the
        question ("last week") count from ``as_of`` (default: today), and nothing
        published after ``as_of`` is returned."""
        return self.search(question, k, where, time_scope(question, as_of)).passages

    def search(
        self,
        question: str,
        k: int = 6,
        where: Filters | dict[str, Any] | None = None,
        scope: TimeScope | None = None,
        options: SearchOptions | None = None,
    ) -> SearchResult:
        """Passages plus the query plan (outlets, dates and parts found in the question).

        ``scope`` (see :func:`rag.when.time_scope`) limits the search to what was
        published up to its ``as_of`` day and, when the question names a period, to
        that period (if nothing was published then, the period is dropped and the
        result says so in ``notes``); with ``recency`` the newest relevant passages
        come first.
        """
        options = options or SearchOptions()
        filters = Filters.coerce(where) or Filters()
        notes: list[str] = []
        if scope is not None and options.time_filters:
            filters, notes, scope = self._scoped(question, filters, scope)
        if filters.sources or not (options.outlet_filters or options.part_search):
            plan = QueryPlan(question)  # the user chose outlets: do not second-guess them
        else:
            plan = _switched(plan_query(question, self.outlets()), options)
        # A period with nothing about it: the reports nearest before its end come first.
        recency = scope is not None and (scope.recency or bool(notes)) and options.recency
        if scope is not None and options.time_filters:
            question = scope.search_text(question)
        question = topic_text(question)
        wanted = k * RECENCY_POOL if recency else k
        passages = self._search(question, wanted, filters, plan)
        if recency:
            passages = newest_first(passages, k)
        return SearchResult(self._with_leads(passages), plan, tuple(notes), scope)

    def _with_leads(self, passages: list[Passage]) -> list[Passage]:
        """Each passage with the last sentence of the chunk before it (one lookup)."""
        before = {}
        for p in passages:
            article, _, n = p.chunk_id.rpartition(":")
            if n.isdigit() and int(n) > 0:
                before[p.chunk_id] = f"{article}:{int(n) - 1}"
        if not before:
            return passages
        texts = {c.id: c.text for c in self.store.get_chunks(sorted(set(before.values())))}
        out = []
        for p in passages:
            text = texts.get(before.get(p.chunk_id, ""), "")
            spans = sentence_spans(text)
            out.append(replace(p, lead=text[spans[-1][0] : spans[-1][1]]) if spans else p)
        return out

    def _scoped(
        self, question: str, filters: Filters, scope: TimeScope
    ) -> tuple[Filters, list[str], TimeScope]:
        """``filters`` narrowed to what ``scope`` allows, notes on what was dropped, and
        the period searched (``scope``, an earlier year's, or none)."""
        capped = _within(filters, None, scope.as_of) if scope.explicit else filters
        if not scope.bounded:
            return capped, [], scope
        # A day either side, as for a part's day (time zones: "published on October 30"
        # may be stored as the 29th in UTC); reports of a day's events also come out
        # that night or the next morning.
        after = scope.after - timedelta(days=1) if scope.after else None
        before = scope.before
        if before is not None:
            before = max(before, min(before + timedelta(days=1), scope.as_of))
        narrowed = _within(capped, after, before)
        if self._about(question, narrowed):
            return narrowed, [], scope
        # "In September" with nothing then: an earlier year's September, if any.
        for years in range(1, YEARLESS_LOOKBACK + 1) if scope.yearless else ():
            earlier = scope.years_back(years)
            narrowed = _within(
                capped,
                earlier.after - timedelta(days=1) if earlier.after else None,
                earlier.before + timedelta(days=1) if earlier.before else None,
            )
            if self._about(question, narrowed):
                return narrowed, [], earlier
        period = scope.describe()
        unbounded = replace(scope, after=None, before=None, yearless=False)
        return (
            capped,
            [f"No stored article about this was published {period}; other dates are used."],
            unbounded,
        )

    def _about(self, question: str, filters: Filters) -> bool:
        """Whether anything within ``filters`` is about ``question`` (a small search)."""
        probe = self._search(question, 3, filters, QueryPlan(question))
        return bool(probe) and max(p.similarity for p in probe) >= MIN_SIMILARITY

    def _search(self, question: str, k: int, filters: Filters, plan: QueryPlan) -> list[Passage]:
        n = max(MIN_CANDIDATES, k * CANDIDATES_PER_K)
        queries = [(question, filters)] + [(p.query, _narrow(filters, p)) for p in plan.parts]
        # BM25 needs no vectors: it runs while the queries are embedded (SQLite and
        # onnxruntime release the GIL, so on two cores the two overlap).
        lexical = _SEARCH_POOL.submit(lambda: [self._lexical(t, f, n) for t, f in queries])
        vectors = self.store.embedder.embed_queries([q for q, _ in queries])
        # One Chroma query per part; filtered ones take milliseconds each, so they run
        # side by side (Chroma's Rust core releases the GIL).
        dense = [
            _SEARCH_POOL.submit(self.store.dense_search, vector, n, narrowed.to_where())
            for (_, narrowed), vector in zip(queries, vectors, strict=True)
        ]
        ranked = []
        for (text, narrowed), vector, lex, near in zip(
            queries, vectors, lexical.result(), dense, strict=True
        ):
            hits = fuse(near.result(), lex)
            if not hits and narrowed.after_ts != filters.after_ts:
                hits = self._hybrid(
                    text, vector, replace(narrowed, after=filters.after, before=filters.before), n
                )
            ranked.append(hits)
        return merge(ranked[1:], ranked[0], k)

    def _hybrid(self, text: str, vector: list[float], filters: Filters, n: int) -> list[_Hit]:
        return fuse(
            self.store.dense_search(vector, n, filters.to_where()), self._lexical(text, filters, n)
        )

    def _lexical(
        self, text: str, filters: Filters, n: int
    ) -> list[list[tuple[StoredChunk, float]]]:
        lexical_filter = filters.to_lexical()
        return [
            self.lexical.search(text, n, lexical_filter),
            self.lexical.search_sentences(text, n, lexical_filter),
        ]


def _narrow(filters: Filters, part: Part) -> Filters:
    """The user's filters, further restricted to a part's outlets and day."""
    narrowed = replace(filters, sources=part.sources or filters.sources)
    if part.day is None:
        return narrowed
    start, end = day_range(part.day)
    if filters.after_ts is not None:
        start = max(start, filters.after_ts)
    if filters.before_ts is not None:
        end = min(end, filters.before_ts)
    return replace(narrowed, after=_iso(start), before=_iso(end))


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def fuse(
    dense: list[tuple[StoredChunk, float]], lexical: list[list[tuple[StoredChunk, float]]]
) -> list[_Hit]:
    """Weighted reciprocal-rank fusion of the dense ranking and the lexical ones.

    Each chunk keeps its cosine similarity from the dense list (0 when only a
    lexical ranking found it) so the answer step can tell whether anything relevant
    was found at all.
    """
    hits: dict[str, _Hit] = {}
    rankings = [(dense, DENSE_WEIGHT, True)] + [(r, 1.0, False) for r in lexical]
    for ranking, weight, is_dense in rankings:
        for rank, (chunk, score) in enumerate(ranking):
            hit = hits.setdefault(chunk.id, _Hit(chunk, 0.0, 0.0))
            hit.score += weight / (RRF_K + rank + 1)
            if is_dense:
                hit.similarity = score
    return sorted(hits.values(), key=lambda h: h.score, reverse=True)


def merge(parts: list[list[_Hit]], whole: list[_Hit], k: int) -> list[Passage]:
    """Take turns over the parts' rankings, then fill from the whole question's.

    At most :data:`MAX_PER_ARTICLE` chunks come from one article, unless nothing
    else is left.
    """
    chosen: dict[str, _Hit] = {}
    per_article: dict[str, int] = {}
    similarity: dict[str, float] = {}
    for ranking in [*parts, whole]:
        for hit in ranking:
            similarity[hit.chunk.id] = max(similarity.get(hit.chunk.id, -1.0), hit.similarity)

    def take(hit: _Hit, capped: bool) -> bool:
        article = hit.chunk.article_id
        if hit.chunk.id in chosen or (capped and per_article.get(article, 0) >= MAX_PER_ARTICLE):
            return False
        chosen[hit.chunk.id] = hit
        per_article[article] = per_article.get(article, 0) + 1
        return True

    for capped in (True, False):
        cursors = [0] * len(parts)
        while len(chosen) < k and any(c < len(r) for c, r in zip(cursors, parts, strict=True)):
            for i, ranking in enumerate(parts):
                while cursors[i] < len(ranking) and len(chosen) < k:
                    cursors[i] += 1
                    if take(ranking[cursors[i] - 1], capped):
                        break
        for hit in whole:
            if len(chosen) >= k:
                break
            take(hit, capped)
        if len(chosen) >= k:
            break
    passages = [
        Passage.from_stored(h.chunk, h.score, similarity[h.chunk.id]) for h in chosen.values()
    ]
    # Full articles first: a teaser or paywall stub only where it ranks clearly higher.
    return sorted(passages, key=lambda p: -p.score * (1.0 if p.completeness == "full" else PARTIAL))


_retrievers: dict[tuple[Any, ...], Retriever] = {}
_retrievers_lock = threading.Lock()


def retriever_for(settings: Settings) -> Retriever:
    """One shared :class:`Retriever` per store location (the embedder loads once)."""
    key = (settings.home.resolve(), settings.chroma_url, settings.collection)
    with _retrievers_lock:
        if key not in _retrievers:
            _retrievers[key] = Retriever(Store(settings))
        return _retrievers[key]


def retrieve(
    question: str,
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
    settings: Settings | None = None,
    as_of: date | datetime | str | None = None,
) -> list[Passage]:
    """Top passages for ``question`` from the store named by ``settings``.

    Example:
        >>> from rag import retrieve
        >>> passages = retrieve("G7 loan for Ukraine", k=3)            # doctest: +SKIP
        >>> passages[0].source, passages[0].text[:40]                  # doctest: +SKIP
    """
    settings = settings or Settings.from_env()
    return retriever_for(settings).retrieve(question, k or settings.top_k, where, as_of)
