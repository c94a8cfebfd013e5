"""``ingest()``: load sources, skip what is unchanged, store what is new or changed.

The pipeline knows nothing of Chroma: it writes through the :class:`ArticleStore`
protocol, which :class:`vectorstore.store.Store` implements. Data flows one way.

A store that can be locked (:class:`LockingStore`) is held exclusively for the whole
run, so two ingests into one store never interleave their writes: the second waits
(or fails, naming the first). Crash safety comes from the store's write order plus
one rule here: an article whose registry entry is not ``done`` is written again even
when its content hash matches, so re-running an interrupted ingest finishes it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ingest.article import Article
from ingest.chunking import DEFAULT_CHUNK_CHARS, Chunk, chunk_article
from ingest.loaders.base import Failure, Loaded
from ingest.policy import DONE, StoredState, refusal
from ingest.sources import Skipped, SourceOptions, iter_sources

# Articles are looked up and written in groups: few round trips, bounded memory.
LOOKUP_BATCH = 64
WRITE_BATCH_CHUNKS = 256


@dataclass(frozen=True)
class WriteStats:
    """Chunks embedded by a write, and chunks whose stored embedding was reused."""

    embedded: int = 0
    reused: int = 0


class ArticleStore(Protocol):
    """Where the pipeline puts articles (implemented by ``vectorstore.Store``)."""

    def lookup(self, ids: Sequence[str]) -> dict[str, StoredState]: ...

    def find_hashes(self, hashes: Sequence[str]) -> dict[str, str]: ...

    def write(self, batch: Sequence[tuple[Article, list[Chunk]]]) -> WriteStats: ...


@runtime_checkable
class LockingStore(Protocol):
    """A store with a writer lock (``vectorstore.Store`` has one; test fakes need not)."""

    def exclusive(
        self,
        purpose: str = "ingest",
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        recover: bool = True,
    ) -> contextlib.AbstractContextManager[None]: ...


@dataclass(frozen=True)
class InputResult:
    """What became of one input (a file, URL, record or feed entry).

    ``status`` is ``added``, ``updated``, ``unchanged``, ``duplicate``, ``failed`` or
    ``skipped``; ``reason`` says why it failed or was skipped, or carries a warning.

    >>> InputResult("a.html", "added", "u1", "Harbour reopens").to_dict()["status"]
    'added'
    """

    origin: str
    status: str
    id: str | None = None
    title: str | None = None
    reason: str | None = None
    completeness: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "input": self.origin,
            "status": self.status,
            "id": self.id,
            "title": self.title,
            "completeness": self.completeness,
            "reason": self.reason,
        }


@dataclass
class IngestReport:
    """What an ingest run did, article by article."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Every replacement of a stored text: (id, title, stored characters, new characters).
    replaced: list[tuple[str, str, int, int]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # Every input's outcome, in the order they were decided (``ingest --json``).
    inputs: list[InputResult] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    embedding_batches: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    def summary(self) -> str:
        """One line of counts, e.g. ``added 2, updated 0, unchanged 5, failed 1``."""
        parts = [
            f"added {len(self.added)}",
            f"updated {len(self.updated)}",
            f"unchanged {len(self.unchanged) + len(self.duplicates)}",
            f"failed {len(self.failed)}",
        ]
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)}")
        if self.warnings:
            parts.append(f"warnings {len(self.warnings)}")
        rate = self.chunks_embedded / self.seconds if self.seconds else 0.0
        return (
            ", ".join(parts)
            + f" ({self.chunks_written} chunks written, {self.chunks_embedded} embedded"
            + f", {self.seconds:.1f} s, {rate:.1f} chunks/s)"
        )

    def details(self) -> list[str]:
        """Lines naming every failure, duplicate, warning and skipped file."""
        lines = [f"failed: {f.origin}: {f.reason}" for f in self.failed]
        lines += [
            f"replaced: {aid} {title!r} ({old:,} -> {new:,} characters; "
            f"the previous version is kept: newsqa history {aid})"
            for aid, title, old, new in self.replaced
        ]
        lines += [f"duplicate: {new} has the same content as {old}" for new, old in self.duplicates]
        named = {i.id: f" ({i.title!r}, {i.origin})" for i in self.inputs if i.id and i.title}
        lines += [f"warning: {aid}: {msg}{named.get(aid, '')}" for aid, msg in self.warnings]
        lines += [f"skipped: {s.origin}: {s.reason}" for s in self.skipped]
        return lines

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form of the report."""
        return {
            "added": self.added,
            "updated": self.updated,
            "replaced": [
                {"id": a, "title": t, "old_chars": o, "new_chars": n}
                for a, t, o, n in self.replaced
            ],
            "unchanged": self.unchanged,
            "duplicates": [{"id": n, "same_as": o} for n, o in self.duplicates],
            "failed": [{"origin": f.origin, "reason": f.reason} for f in self.failed],
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in self.skipped],
            "warnings": [{"id": a, "warning": w} for a, w in self.warnings],
            "inputs": [item.to_dict() for item in self.inputs],
            "chunks_written": self.chunks_written,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "embedding_batches": self.embedding_batches,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Progress:
    """A progress event: ``done`` articles handled so far, the latest one's label."""

    done: int
    label: str


def ingest(
    inputs: Iterable[str],
    store: ArticleStore,
    options: SourceOptions | None = None,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    on_progress: Callable[[Progress], None] | None = None,
    *,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    replace: bool = False,
    loaded: Iterable[Loaded | Skipped] | None = None,
) -> IngestReport:
    """Ingest files, folders, URLs and feeds into ``store``; return the report.

    Unchanged articles (same id, same content hash) are skipped without embedding
    anything; changed ones replace their old chunks when :mod:`ingest.policy` allows
    it (``replace`` overrides it) and are refused with a reason otherwise; content
    already stored under another id is reported as a duplicate instead of stored twice.

    ``loaded`` hands over articles already loaded (a watched feed's entries, fetched
    before the lock is taken) to ingest instead of loading ``inputs``; when it stops
    early, what it gave is still written in full.

    The store's writer lock is held throughout: if another ingest holds it, this one
    waits up to ``wait`` seconds (``None``: the store's default), telling ``on_wait``
    who it waits for, then raises the store's "busy" error naming the holder.

    Example:
        >>> from vectorstore.store import Store                      # doctest: +SKIP
        >>> report = ingest(["seeds/"], Store(Settings.from_env()))  # doctest: +SKIP
        >>> report.summary()                                         # doctest: +SKIP
        'added 1, updated 0, unchanged 0, failed 0 (3 chunks written, ...)'
    """
    run = _Run(store, chunk_chars, on_progress, replace)
    started = time.perf_counter()
    pending: list[Article] = []
    items = iter_sources(inputs, options or SourceOptions()) if loaded is None else loaded
    with _exclusive(store, wait, on_wait):
        for item in items:
            if isinstance(item, Failure):
                run.report.failed.append(item)
                run.report.inputs.append(InputResult(item.origin, "failed", reason=item.reason))
            elif isinstance(item, Skipped):
                run.report.skipped.append(item)
                run.report.inputs.append(InputResult(item.origin, "skipped", reason=item.reason))
            else:
                pending.append(item)
                if len(pending) >= LOOKUP_BATCH:
                    run.classify(pending)
                    pending = []
        run.classify(pending)
        run.flush()
    run.report.seconds = time.perf_counter() - started
    return run.report


@contextlib.contextmanager
def _exclusive(
    store: ArticleStore, wait: float | None, on_wait: Callable[[str], None] | None
) -> Iterator[None]:
    if isinstance(store, LockingStore):
        with store.exclusive("ingest", wait, on_wait):
            yield
    else:
        yield


class _Run:
    """State of one ingest run: what was seen, what waits to be written."""

    def __init__(
        self,
        store: ArticleStore,
        chunk_chars: int,
        on_progress: Callable[[Progress], None] | None,
        replace: bool = False,
    ) -> None:
        self.store = store
        self.replace = replace
        self.chunk_chars = chunk_chars
        self.on_progress = on_progress
        self.report = IngestReport()
        self.seen_ids: dict[str, tuple[str, str]] = {}  # id -> (content hash, origin)
        self.seen_hashes: dict[str, str] = {}
        self.queue: list[tuple[Article, list[Chunk], StoredState | None]] = []
        self.queued_chunks = 0
        self.done = 0

    def classify(self, articles: list[Article]) -> None:
        if not articles:
            return
        # unique ids and hashes: the same article can come twice (Chroma refuses repeats)
        known = self.store.lookup(list(dict.fromkeys(a.id for a in articles)))
        unknown = list(dict.fromkeys(a.content_hash for a in articles if a.id not in known))
        elsewhere = self.store.find_hashes(unknown) if unknown else {}
        for article in articles:
            state = known.get(article.id)
            digest = article.content_hash
            if article.id in self.seen_ids:  # given twice in one run
                first_digest, first_origin = self.seen_ids[article.id]
                if first_digest == digest:
                    self.report.unchanged.append(article.id)
                    self._note(article, "unchanged", "given twice in this run")
                else:  # two different articles claim one id: never drop one silently
                    self.report.failed.append(
                        Failure(
                            article.origin,
                            f"id {article.id!r} is already used in this run by "
                            f"{first_origin or 'another input'} with other content; "
                            "only the first was ingested",
                        )
                    )
                    self._note(article, "failed", self.report.failed[-1].reason)
                self._tick(article)
                continue
            self.seen_ids[article.id] = (digest, article.origin)
            # Not "done" (pending, deleting): a crash interrupted its write; write again.
            if state and state.content_hash == digest and state.status == "done":
                self.report.unchanged.append(article.id)
                self._note(article, "unchanged")
            elif state is None and (other := elsewhere.get(digest) or self.seen_hashes.get(digest)):
                self.report.duplicates.append((article.id, other))
                self._note(article, "duplicate", f"same content as {other}", stored_id=other)
            elif state is not None and (why := refusal(state, article, self.replace)):
                self.report.failed.append(Failure(article.origin, f"{article.id}: {why}"))
                self._note(article, "failed", why)
            else:
                self._enqueue(article, digest, state)
                continue
            self._tick(article)

    def _enqueue(self, article: Article, digest: str, state: StoredState | None) -> None:
        chunks = chunk_article(article, self.chunk_chars)
        if not chunks:
            self.report.failed.append(Failure(article.origin, "the article has no text"))
            self._note(article, "failed", "the article has no text")
            self._tick(article)
            return
        self.seen_hashes[digest] = article.id
        if warning := article.extra.get("warning"):
            self.report.warnings.append((article.id, warning))
        self.queue.append((article, chunks, state))
        self.queued_chunks += len(chunks)
        if self.queued_chunks >= WRITE_BATCH_CHUNKS:
            self.flush()

    def flush(self) -> None:
        if not self.queue:
            return
        batch, self.queue, self.queued_chunks = self.queue, [], 0
        stats = self.store.write([(a, c) for a, c, _ in batch])
        if stats.embedded:
            self.report.embedding_batches += 1
        self.report.chunks_embedded += stats.embedded
        self.report.chunks_reused += stats.reused
        for article, chunks, state in batch:
            (self.report.added if state is None else self.report.updated).append(article.id)
            self._note(article, "added" if state is None else "updated")
            if state is not None and state.status == DONE:
                replaced = (article.id, article.title, state.chars, len(article.body))
                self.report.replaced.append(replaced)
            self.report.chunks_written += len(chunks)
            self._tick(article)

    def _note(
        self, article: Article, status: str, reason: str | None = None, stored_id: str = ""
    ) -> None:
        """Record one input's outcome (its warning, if any, as the reason)."""
        warning = article.extra.get("warning")
        self.report.inputs.append(
            InputResult(
                article.origin,
                status,
                stored_id or article.id,
                article.title,
                reason or warning,
                article.completeness,
            )
        )

    def _tick(self, article: Article) -> None:
        self.done += 1
        if self.on_progress:
            self.on_progress(Progress(self.done, article.label))
