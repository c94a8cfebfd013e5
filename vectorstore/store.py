"""Chroma holds the chunks and, beside them, the article registry.

Three collections per store name: ``{name}_chunks`` (text, metadata, embeddings),
``{name}_articles`` (one record per article: content hash, metadata, chunk count,
status) and ``{name}_meta`` (a revision token that changes on every write, so other
processes know to refresh their lexical index). Keeping the registry in Chroma means
a Chroma server shares it between processes.

Writes are ordered so a crash never leaves a silent half: the registry entry is
marked ``pending`` first, chunks are written, stale chunks removed, and only then is
the entry marked ``done``. A ``write`` marker in ``{name}_meta`` is open while a write
is in flight: a writer killed after marking ``done`` but before bumping the revision
leaves it open, and the next writer bumps the revision so every lexical cache
re-syncs. Only one writer at a time (see :meth:`Store.exclusive`); ``newsqa check``
(:mod:`vectorstore.check`) finds and repairs what a crash or a full disk left behind.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.article import FULL, Article
from ingest.chunking import Chunk, chunk_article
from ingest.pipeline import WriteStats
from ingest.policy import StoredState
from newsqa.settings import Settings
from vectorstore.embeddings import Embedder
from vectorstore.lock import DEFAULT_WAIT, FileLock, Holder, Lease, Lock, LockTimeout, acquire
from vectorstore.stories import StoryIndex

log = logging.getLogger(__name__)

PENDING, DONE, DELETING = "pending", "done", "deleting"
_REGISTRY_VECTOR = [1.0]  # the registry is looked up by id and metadata, never by vector
_REVISION_ID = "revision"
_WRITE_ID = "write"
_GET_PAGE = 2000
# Previous versions kept per article (``newsqa history`` / ``newsqa restore``).
KEEP_VERSIONS = 10
# Below this much free space a failing embedded write is reported as a full disk:
# Chroma's own message then is often only "Error in compaction".
LOW_DISK_BYTES = 16 * 1024 * 1024


class StoreError(RuntimeError):
    """The store cannot be reached or used; the message says where and what to do."""


class StoreBusy(StoreError):
    """Another writer holds the store's lock; the message names it."""


@dataclass(frozen=True)
class ArticleRecord:
    """The registry's view of one article."""

    id: str
    content_hash: str
    title: str
    source: str | None
    url: str | None
    published_at: str | None
    author: str | None
    origin: str
    n_chunks: int
    ingested_at: str
    status: str
    provenance: str = ""
    chars: int = 0
    completeness: str = FULL
    updated_at: str | None = None
    # The story the article tells (its own id, or that of the first stored near-copy:
    # the same wire story from several outlets shares one, see ingest.dedup).
    story_id: str = ""

    @classmethod
    def from_metadata(cls, article_id: str, meta: dict[str, Any]) -> ArticleRecord:
        """Rebuild a record from its Chroma metadata."""
        return cls(
            id=article_id,
            content_hash=str(meta.get("content_hash", "")),
            title=str(meta.get("title", "")),
            source=meta.get("source"),
            url=meta.get("url"),
            published_at=meta.get("published_at"),
            author=meta.get("author"),
            origin=str(meta.get("origin", "")),
            n_chunks=int(meta.get("n_chunks", 0)),
            ingested_at=str(meta.get("ingested_at", "")),
            status=str(meta.get("status", "")),
            provenance=str(meta.get("provenance") or ""),
            chars=int(meta.get("chars") or 0),
            completeness=str(meta.get("completeness") or FULL),
            updated_at=meta.get("updated_at"),
            story_id=str(meta.get("story_id") or article_id),
        )

    def to_article(self, body: str) -> Article:
        """The stored article with ``body`` (registry records hold no text)."""
        return Article(
            id=self.id,
            title=self.title,
            body=body,
            source=self.source,
            url=self.url,
            published_at=self.published_at,
            author=self.author,
            origin=self.origin,
            provenance=self.provenance,
            completeness=self.completeness,
            updated_at=self.updated_at,
        )


@dataclass(frozen=True)
class ArticleVersion:
    """A previous version of an article, kept when an update replaced it."""

    version: str
    replaced_at: str
    record: ArticleRecord
    body: str


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: its text (a verbatim slice of the article body) and metadata."""

    id: str
    text: str
    meta: dict[str, Any]

    @property
    def article_id(self) -> str:
        """Id of the article the chunk belongs to."""
        return str(self.meta["article_id"])


# Metadata is written whole, unknown fields as ``None``: Chroma's upsert keeps stored
# keys an update leaves out and deletes those it sets to ``None``, so a replaced
# article's metadata equals the new version's on the registry and on every chunk.


def article_metadata(
    article: Article, n_chunks: int, status: str, story_id: str | None = None
) -> dict[str, Any]:
    """Registry metadata for ``article`` (unknown fields ``None``, see above); its story
    is ``story_id``, else its own id."""
    return {
        "content_hash": article.content_hash,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "published_ts": article.published_ts,
        "author": article.author,
        "origin": article.origin,
        "provenance": article.provenance or None,
        "chars": len(article.body),
        "completeness": article.completeness,
        "updated_at": article.updated_at,
        "n_chunks": n_chunks,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": status,
        "story_id": story_id or article.id,
    }


def chunk_metadata(article: Article, chunk: Chunk, story_id: str | None = None) -> dict[str, Any]:
    """Chunk metadata: where it sits in its article, and the article's metadata (its
    story: ``story_id``, else its own id)."""
    return {
        "article_id": article.id,
        "n": chunk.n,
        "start": chunk.start,
        "end": chunk.end,
        "hash": chunk.hash,
        "header": chunk.header,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "published_ts": article.published_ts,
        "origin": article.origin,
        # Retrieval and citations can prefer full articles to teasers and paywall stubs.
        "completeness": article.completeness,
        # Evidence can name the other outlets that told the same story.
        "story_id": story_id or article.id,
    }


class Store:
    """Chunks and article registry in Chroma (embedded, or a server via ``chroma_url``).

    It talks to chromadb directly, not through LangChain's ``Chroma`` vector store,
    because it needs what that wrapper does not give: writes in a crash-safe order
    (registry ``pending`` -> chunks -> stale chunks removed -> ``done``), embeddings
    reused by chunk hash, metadata replaced rather than merged, the article registry,
    kept versions and story signatures beside the chunks, and the writer lease on a
    Chroma server. Reading for LangChain goes through :class:`rag.retriever.NewsRetriever`
    (and :meth:`langchain` gives the chunks as a LangChain vector store).

    Example:
        >>> store = Store(Settings(home=Path("/tmp/nq")))      # doctest: +SKIP
        >>> store.stats()["articles"]                            # doctest: +SKIP
        1
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._lock = threading.RLock()
        # Who holds the writer lock through this object (reentrant per thread).
        self._writer_thread: int | None = None
        self._writer_depth = 0
        self._lease: Lease | None = None
        self._story_index: StoryIndex | None = None

    # -- connection -----------------------------------------------------------------

    @property
    def label(self) -> str:
        """Where the store lives, for messages."""
        return self.settings.store_label

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
        if url:
            parts = urlsplit(url)
            try:
                return chromadb.HttpClient(
                    host=parts.hostname or "localhost",
                    port=parts.port or (443 if parts.scheme == "https" else 8000),
                    ssl=parts.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as exc:
                raise StoreError(
                    f"cannot reach the Chroma server at {url}: {_reason(exc)} "
                    "(is `chroma run` up? check NEWSQA_CHROMA_URL)"
                ) from None
        path = self.data_dir
        self._call(path.mkdir, parents=True, exist_ok=True)
        return self._call(chromadb.PersistentClient, path=str(path), settings=chroma_settings)

    @property
    def data_dir(self) -> Path:
        """Where an embedded store keeps its files (unused with a Chroma server)."""
        return self.settings.home / "chroma"

    def _collection(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._collections:
                if self._client is None:
                    self._client = self._connect()
                config = {"hnsw": {"space": "cosine"}} if kind == "chunks" else None
                self._collections[kind] = self._call(
                    self._client.get_or_create_collection,
                    name=f"{self.settings.collection}_{kind}",
                    embedding_function=None,  # we always pass vectors: Chroma's default downloads
                    configuration=config,
                )
            return self._collections[kind]

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call Chroma, turning connection failures and a full disk into a
        :class:`StoreError` that says where and what to do."""
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            url = self.settings.chroma_url
            if url and _is_connection_error(exc):
                with self._lock:  # reconnect on the next call once the server is back
                    self._client = None
                    self._collections.clear()
                raise StoreError(
                    f"the Chroma server at {url} is not answering: {_reason(exc)}"
                ) from None
            if _is_disk_full(exc, None if url else self.data_dir):
                where = f"the Chroma server at {url}" if url else str(self.data_dir)
                raise StoreError(
                    f"cannot write to the store at {where}: the disk is full "
                    f"({_reason(exc)}). Free some space, then run the same ingest again: "
                    "it resumes where it stopped (`newsqa check` verifies the store)"
                ) from None
            raise

    @property
    def chunks(self) -> Any:
        """The raw chromadb collection of chunks."""
        return self._collection("chunks")

    @property
    def articles(self) -> Any:
        """The raw chromadb collection of article records (document: the article body)."""
        return self._collection("articles")

    @property
    def versions(self) -> Any:
        """The raw chromadb collection of replaced article versions."""
        return self._collection("versions")

    @property
    def stories(self) -> Any:
        """The raw chromadb collection of MinHash signatures (see vectorstore.stories)."""
        return self._collection("stories")

    def story_index(self) -> StoryIndex:
        """This process's story grouping index (loaded on first use)."""
        with self._lock:
            if self._story_index is None:
                self._story_index = StoryIndex(
                    lambda: self.stories,
                    lambda: self.articles,
                    self._call,
                    self.settings.story_threshold,
                )
            return self._story_index

    def langchain(self) -> Any:
        """The chunk collection as a LangChain ``Chroma`` vector store (for composition)."""
        from langchain_chroma import Chroma

        self.chunks  # noqa: B018 - make sure the client and collection exist
        return Chroma(
            client=self._client,
            collection_name=f"{self.settings.collection}_chunks",
            embedding_function=self.embedder,
        )

    # -- one writer at a time ---------------------------------------------------------

    def _writer_lock(self) -> Lock:
        if self.settings.chroma_url:
            return Lease(lambda: self._collection("meta"), self._call)
        return FileLock(self.settings.home / "ingest.lock")

    @contextlib.contextmanager
    def exclusive(
        self,
        purpose: str = "ingest",
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        recover: bool = True,
    ) -> Iterator[None]:
        """Hold the store's writer lock (a file lock, or a lease on a Chroma server).

        Another holder is waited for up to ``wait`` seconds (``on_wait`` hears who, once;
        by default it is logged), then :class:`StoreBusy` names it. Reentrant within a
        thread. With ``recover``, a write a crashed writer left open is closed first.

        Example:
            >>> with store.exclusive("ingest", wait=0):   # doctest: +SKIP
            ...     store.write(batch)
        """
        me = threading.get_ident()
        with self._lock:
            if self._writer_thread == me:
                self._writer_depth += 1
                nested = True
            else:
                nested = False
        if nested:
            try:
                yield
            finally:
                with self._lock:
                    self._writer_depth -= 1
            return
        wait = DEFAULT_WAIT if wait is None else wait
        lock = self._writer_lock()

        def waiting(holder: Holder | None) -> None:
            who = holder.describe() if holder else "another writer"
            message = f"waiting for {who} to finish writing to {self.label} (up to {wait:g} s)"
            (on_wait or log.warning)(message)

        try:
            acquire(lock, Holder.me(purpose), wait, waiting)
        except LockTimeout as exc:
            who = exc.holder.describe() if exc.holder else "another writer"
            raise StoreBusy(
                f"{who} is writing to {self.label}; gave up after waiting {exc.waited:g} s. "
                "Try again when it has finished (or wait longer: --wait SECONDS)"
            ) from None
        try:
            with self._lock:
                self._writer_thread, self._writer_depth = me, 1
                self._lease = lock if isinstance(lock, Lease) else None
            if recover:
                self.recover_interrupted_write()
            yield
        finally:
            with self._lock:
                self._writer_thread, self._writer_depth, self._lease = None, 0, None
            lock.release()

    def _check_lease(self) -> None:
        lease = self._lease
        if lease is not None and lease.lost.is_set():
            raise StoreBusy(
                f"this process lost its ingest lease on {self.label} (the Chroma server was "
                "unreachable for longer than the lease lasts, and another writer took over); "
                "run the ingest again"
            )

    def interrupted_write(self) -> dict[str, Any] | None:
        """The marker of a write that never finished (its writer died), else ``None``.

        Only meaningful while holding :meth:`exclusive` (otherwise it may be a live write).
        """
        got = self._call(self._collection("meta").get, ids=[_WRITE_ID], include=["metadatas"])
        metas = got.get("metadatas") or []
        if got.get("ids") and metas and metas[0].get("open"):
            return dict(metas[0])
        return None

    def recover_interrupted_write(self) -> bool:
        """Bump the revision if a crashed writer left its write open; True if it did."""
        marker = self.interrupted_write()
        if marker is None:
            return False
        log.warning(
            "a write to %s by pid %s was interrupted; refreshing the revision token",
            self.label,
            marker.get("pid"),
        )
        self._bump_revision()
        self._mark_write(open_=False)
        return True

    def _mark_write(self, open_: bool) -> None:
        meta = {"open": int(open_), "pid": os.getpid(), "since": time.time()}
        self._call(
            self._collection("meta").upsert,
            ids=[_WRITE_ID],
            embeddings=[_REGISTRY_VECTOR],
            metadatas=[meta],
        )

    # -- revision -------------------------------------------------------------------

    def revision(self) -> str:
        """Token that changes whenever any process writes to this store."""
        got = self._call(self._collection("meta").get, ids=[_REVISION_ID], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0].get("token")) if metas else ""

    def _bump_revision(self) -> None:
        self._call(
            self._collection("meta").upsert,
            ids=[_REVISION_ID],
            embeddings=[_REGISTRY_VECTOR],
            metadatas=[{"token": uuid.uuid4().hex}],
        )

    # -- registry (the ingest pipeline's ArticleStore protocol) ------------------------

    def lookup(self, ids: Sequence[str]) -> dict[str, StoredState]:
        """Hash, status, provenance and length of those of ``ids`` that are registered."""
        if not ids:
            return {}
        got = self._call(self.articles.get, ids=list(ids), include=["metadatas"])
        records = [
            ArticleRecord.from_metadata(i, m)
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]
        # Records written before lengths were kept: the end of their last chunk.
        legacy = self._body_ends([r.id for r in records if not r.chars])
        return {
            r.id: StoredState(
                r.content_hash,
                r.status,
                r.provenance,
                r.chars or legacy.get(r.id, 0),
                r.completeness,
            )
            for r in records
        }

    def _body_ends(self, article_ids: Sequence[str]) -> dict[str, int]:
        if not article_ids:
            return {}
        got = self._call(
            self.chunks.get, where={"article_id": {"$in": list(article_ids)}}, include=["metadatas"]
        )
        ends: dict[str, int] = {}
        for meta in got["metadatas"]:
            aid = str(meta["article_id"])
            ends[aid] = max(ends.get(aid, 0), int(meta.get("end", 0)))
        return ends

    def find_hashes(self, hashes: Sequence[str]) -> dict[str, str]:
        """Map content hash -> id of a finished article holding exactly that content."""
        if not hashes:
            return {}
        got = self._call(
            self.articles.get,
            where={"$and": [{"content_hash": {"$in": list(hashes)}}, {"status": DONE}]},
            include=["metadatas"],
        )
        return {m["content_hash"]: i for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def write(self, batch: Sequence[tuple[Article, list[Chunk]]]) -> WriteStats:
        """Store articles with their chunks, embedding only chunks not stored before."""
        if not batch:
            return WriteStats()
        self._check_lease()
        ids = [a.id for a, _ in batch]
        self._mark_write(open_=True)
        self._keep_versions(batch)
        story = self.story_index().assign([a for a, _ in batch])
        self._call(
            self.articles.upsert,
            ids=ids,
            embeddings=[_REGISTRY_VECTOR] * len(batch),
            documents=[a.body for a, _ in batch],
            metadatas=[article_metadata(a, len(c), PENDING, story[a.id]) for a, c in batch],
        )
        old = self._old_chunks(ids)
        reusable = {m["hash"]: e for _, m, e in old}
        chunks = [(a, c) for a, cs in batch for c in cs]
        fresh = list({c.hash: c.indexed_text for _, c in chunks if c.hash not in reusable}.items())
        vectors = dict(
            zip(
                (h for h, _ in fresh),
                self.embedder.embed_documents([t for _, t in fresh]),
                strict=True,
            )
        )
        vectors.update(reusable)
        for start in range(0, len(chunks), _GET_PAGE):
            part = chunks[start : start + _GET_PAGE]
            self._call(
                self.chunks.upsert,
                ids=[c.id for _, c in part],
                embeddings=[vectors[c.hash] for _, c in part],
                documents=[c.text for _, c in part],
                metadatas=[chunk_metadata(a, c, story[a.id]) for a, c in part],
            )
        keep = {c.id for _, c in chunks}
        stale = [i for i, _, _ in old if i not in keep]
        if stale:
            self._call(self.chunks.delete, ids=stale)
        self.story_index().save(story)
        self._call(
            self.articles.upsert,
            ids=ids,
            embeddings=[_REGISTRY_VECTOR] * len(batch),
            documents=[a.body for a, _ in batch],
            metadatas=[article_metadata(a, len(c), DONE, story[a.id]) for a, c in batch],
        )
        self._bump_revision()
        self._mark_write(open_=False)
        return WriteStats(embedded=len(fresh), reused=len(chunks) - len(fresh))

    # -- versions ---------------------------------------------------------------------

    def _keep_versions(self, batch: Sequence[tuple[Article, list[Chunk]]]) -> None:
        """Copy the finished stored version of every article that ``batch`` changes into
        the versions collection (idempotent: a version's id is its content hash)."""
        new_hash = {a.id: a.content_hash for a, _ in batch}
        got = self._call(
            self.articles.get, ids=list(new_hash), include=["metadatas", "documents"]
        )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for aid, meta, doc in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
            old_hash = str(meta.get("content_hash", ""))
            if meta.get("status") != DONE or old_hash == new_hash[aid]:
                continue
            body = doc or self._body_from_chunks(aid)
            self._call(
                self.versions.upsert,
                ids=[f"{aid}@{old_hash[:16]}"],
                embeddings=[_REGISTRY_VECTOR],
                documents=[body],
                metadatas=[{**meta, "article_id": aid, "replaced_at": now}],
            )
            stale = [v.version for v in self.history(aid)[KEEP_VERSIONS:]]
            if stale:
                self._call(self.versions.delete, ids=stale)

    def _body_from_chunks(self, article_id: str) -> str:
        """An article's text rebuilt from its chunks (for records stored without it);
        the whitespace between chunks becomes one space or line break per character."""
        body = ""
        for chunk in sorted(self.chunks_of([article_id]), key=lambda c: int(c.meta["start"])):
            start = int(chunk.meta["start"])
            body += " " * max(0, start - len(body)) + chunk.text
        return body

    def history(self, article_id: str) -> list[ArticleVersion]:
        """Previous versions of an article, newest first."""
        got = self._call(
            self.versions.get,
            where={"article_id": article_id},
            include=["metadatas", "documents"],
        )
        found = [
            ArticleVersion(
                version=vid,
                replaced_at=str(meta.get("replaced_at", "")),
                record=ArticleRecord.from_metadata(article_id, meta),
                body=doc or "",
            )
            for vid, meta, doc in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
        ]
        return sorted(found, key=lambda v: (v.replaced_at, v.version), reverse=True)

    def restore(
        self, article_id: str, version: str | None = None, wait: float | None = None
    ) -> ArticleVersion:
        """Make a previous version current again (default: the newest); the version it
        replaces is kept in the history in turn. Returns the version restored.

        Example:
            >>> store.restore("story-1").record.title     # doctest: +SKIP
            'Harbour reopens'
        """
        with self.exclusive("restore", wait):
            versions = self.history(article_id)
            chosen = next((v for v in versions if version in (None, v.version)), None)
            if chosen is None:
                known = ", ".join(v.version for v in versions) or "none"
                raise KeyError(
                    f"no version {version!r} of {article_id!r} (kept versions: {known})"
                    if version
                    else f"{article_id!r} has no previous version"
                )
            article = chosen.record.to_article(chosen.body)
            self.write([(article, chunk_article(article, self.settings.chunk_chars))])
            self._call(self.versions.delete, ids=[chosen.version])  # it is current now
            return chosen

    def _old_chunks(
        self, article_ids: Sequence[str]
    ) -> list[tuple[str, dict[str, Any], list[float]]]:
        got = self._call(
            self.chunks.get,
            where={"article_id": {"$in": list(article_ids)}},
            include=["metadatas", "embeddings"],
        )
        embeddings = got.get("embeddings")
        if embeddings is None or len(got["ids"]) == 0:
            return []
        return [
            (i, m, list(map(float, e)))
            for i, m, e in zip(got["ids"], got["metadatas"], embeddings, strict=True)
        ]

    def delete(self, article_id: str, wait: float | None = None) -> bool:
        """Remove an article and all its chunks; ``False`` when it was not stored.

        Takes the writer lock (waiting up to ``wait`` seconds for a running ingest).
        """
        with self.exclusive("delete", wait):
            got = self._call(self.articles.get, ids=[article_id], include=["metadatas"])
            if not got["ids"]:
                return False
            self.drop([article_id])
            return True

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (no lock: callers hold it; used by repairs)."""
        if not chunk_ids:
            return
        self._mark_write(open_=True)
        for start in range(0, len(chunk_ids), _GET_PAGE):
            self._call(self.chunks.delete, ids=list(chunk_ids[start : start + _GET_PAGE]))
        self._bump_revision()
        self._mark_write(open_=False)

    def drop(self, article_ids: Sequence[str]) -> None:
        """Remove articles' registry entries and chunks (no lock: callers hold it).

        Entries are marked ``deleting`` first, so a crash half-way is visible to
        ``newsqa check`` and the next ingest rewrites them.
        """
        if not article_ids:
            return
        ids = list(article_ids)
        got = self._call(self.articles.get, ids=ids, include=["metadatas"])
        if got["ids"]:
            metas = [{**m, "status": DELETING} for m in got["metadatas"]]
            self._call(
                self.articles.upsert,
                ids=got["ids"],
                embeddings=[_REGISTRY_VECTOR] * len(metas),
                metadatas=metas,
            )
        self._mark_write(open_=True)
        self._call(self.chunks.delete, where={"article_id": {"$in": ids}})
        self._call(self.versions.delete, where={"article_id": {"$in": ids}})
        self.story_index().forget(ids)
        self._call(self.articles.delete, ids=ids)
        self._bump_revision()
        self._mark_write(open_=False)

    # -- reading ----------------------------------------------------------------------

    def iter_records(self) -> Iterator[ArticleRecord]:
        """Every registered article, page by page."""
        offset = 0
        while True:
            got = self._call(
                self.articles.get, include=["metadatas"], limit=_GET_PAGE, offset=offset
            )
            for i, meta in zip(got["ids"], got["metadatas"], strict=True):
                yield ArticleRecord.from_metadata(i, meta)
            if len(got["ids"]) < _GET_PAGE:
                return
            offset += _GET_PAGE

    def iter_chunks(self, page: int = _GET_PAGE) -> Iterator[StoredChunk]:
        """Every stored chunk (text and metadata), page by page."""
        offset = 0
        while True:
            got = self._call(
                self.chunks.get, include=["documents", "metadatas"], limit=page, offset=offset
            )
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield StoredChunk(i, d or "", dict(m or {}))
            if len(got["ids"]) < page:
                return
            offset += page

    def stored_articles(self, article_ids: Sequence[str]) -> list[Article]:
        """Stored articles with their text, in the order asked (missing ids left out).

        The body is the registry record's document; records written before bodies were
        kept there get theirs rebuilt from their chunks.

        Example:
            >>> [a.title for a in store.stored_articles(["story-1"])]   # doctest: +SKIP
            ['Harbour reopens']
        """
        if not article_ids:
            return []
        got = self._call(
            self.articles.get, ids=list(article_ids), include=["metadatas", "documents"]
        )
        found = {
            i: ArticleRecord.from_metadata(i, m).to_article(d or self._body_from_chunks(i))
            for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
        }
        return [found[i] for i in dict.fromkeys(article_ids) if i in found]

    def record(self, article_id: str) -> ArticleRecord | None:
        """The registry record of one article, or ``None``."""
        got = self._call(self.articles.get, ids=[article_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return ArticleRecord.from_metadata(got["ids"][0], got["metadatas"][0])

    def story_members(self, story_ids: Sequence[str]) -> dict[str, list[ArticleRecord]]:
        """The finished articles of each story, earliest published first (undated last).

        Stories with no stored article are left out.

        Example:
            >>> members = store.story_members(["mhr-a001"])         # doctest: +SKIP
            >>> [(r.source, r.published_at[:10]) for r in members["mhr-a001"]]  # doctest: +SKIP
            [('AP', '2023-11-20'), ('The Guardian', '2023-11-20')]
        """
        wanted = list(dict.fromkeys(story_ids))
        if not wanted:
            return {}
        wanted_set = set(wanted)
        found: dict[str, ArticleRecord] = {}
        for start in range(0, len(wanted), _GET_PAGE):
            part = wanted[start : start + _GET_PAGE]
            # Members carry the story id; a story's first article (also stored before
            # story ids existed) is the article whose id it is.
            for got in (
                self._call(
                    self.articles.get, where={"story_id": {"$in": part}}, include=["metadatas"]
                ),
                self._call(self.articles.get, ids=part, include=["metadatas"]),
            ):
                for i, meta in zip(got["ids"], got["metadatas"], strict=True):
                    found[i] = ArticleRecord.from_metadata(i, meta)
        members: dict[str, list[ArticleRecord]] = {}
        for record in found.values():
            if record.status == DONE and record.story_id in wanted_set:
                members.setdefault(record.story_id, []).append(record)
        for records in members.values():
            records.sort(key=lambda r: (r.published_at is None, r.published_at or "", r.id))
        return members

    def chunks_of(self, article_ids: Sequence[str]) -> list[StoredChunk]:
        """All stored chunks of the given articles."""
        if not article_ids:
            return []
        got = self._call(
            self.chunks.get,
            where={"article_id": {"$in": list(article_ids)}},
            include=["documents", "metadatas"],
        )
        return [
            StoredChunk(i, d, dict(m))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Stored chunks by id (missing ids are left out)."""
        if not ids:
            return []
        got = self._call(self.chunks.get, ids=list(ids), include=["documents", "metadatas"])
        return [
            StoredChunk(i, d, dict(m))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def dense_search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """The ``k`` chunks nearest to ``vector`` with cosine similarity (1 = same)."""
        count = self._call(self.chunks.count)
        if count == 0:
            return []
        got = self._call(
            self.chunks.query,
            query_embeddings=[list(vector)],
            n_results=min(k, count),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (StoredChunk(i, d, dict(m)), 1.0 - float(dist))
            for i, d, m, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
        ]

    def stats(self) -> dict[str, Any]:
        """Counts of articles and chunks, outlets, and where the store lives."""
        records = list(self.iter_records())
        return {
            "store": self.label,
            "articles": sum(r.status == DONE for r in records),
            "incomplete": sum(r.status != DONE for r in records),
            "chunks": self._call(self.chunks.count),
            "outlets": len({r.source for r in records if r.source}),
        }


def _is_disk_full(exc: Exception, data_dir: Path | None) -> bool:
    """Whether ``exc`` comes from a full disk (or quota).

    Chroma reports a full disk in many words ("database or disk is full", "Error in
    compaction ..."), so for an embedded store a Chroma error while the disk holding
    it has almost no free space counts too.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if any(w in text for w in ("disk is full", "no space left", "disk full", "quota exceeded")):
        return True
    if data_dir is not None and type(exc).__module__.startswith("chromadb"):
        free = _free_bytes(data_dir)
        return free is not None and free < LOW_DISK_BYTES
    return False


def _free_bytes(path: Path) -> int | None:
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists():
                return shutil.disk_usage(candidate).free
    return None


def _is_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "refused", "timeout", "timed out", "unreachable"))


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
