"""``newsqa check``: verify a store's integrity and, with ``repair``, fix it.

What a crash, a full disk or a hand-edited store can leave behind, and what repair
does about it:

==================  ===============================================  ==================
problem             meaning                                          repair
==================  ===============================================  ==================
orphan_chunks       chunks whose article has no registry entry       delete the chunks
stray_chunks        chunks of a finished article beyond its count    delete the chunks
interrupted_delete  entry marked ``deleting`` (a delete was cut)     finish the delete
incomplete          entry still ``pending`` (a write was cut)        drop; re-ingest
missing_chunks      finished entry without all of its chunks         drop; re-ingest
hash_mismatch       chunk text no longer matches its stored hash     drop; re-ingest
stale_metadata      chunk metadata disagrees with its entry          drop; re-ingest
interrupted_write   a writer died before publishing its revision     bump the revision
==================  ===============================================  ==================

An article cannot be rebuilt without its source, so "drop; re-ingest" removes its
entry and all its chunks, and the report lists the sources to ingest again (the next
ingest adds them back). Nothing is repaired partially: after a repair the store is
checked again and the result reported.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.chunking import article_header
from vectorstore.store import DELETING, DONE, PENDING, ArticleRecord, Store, StoredChunk

# Problems that are fixed by deleting chunks only; the rest drop the whole article.
_CHUNK_ONLY = {"orphan_chunks", "stray_chunks"}
_DROP = {"incomplete", "missing_chunks", "hash_mismatch", "stale_metadata", "interrupted_delete"}
_FIXES = {
    "orphan_chunks": "deleted the chunks",
    "stray_chunks": "deleted the extra chunks",
    "interrupted_delete": "finished the delete",
    "incomplete": "dropped the half-written article: ingest its source again",
    "missing_chunks": "dropped the article: ingest its source again",
    "hash_mismatch": "dropped the damaged article: ingest its source again",
    "stale_metadata": "dropped the article: ingest its source again",
    "interrupted_write": "published a new revision (lexical indexes re-sync)",
}
# Chunk metadata copied from the article: must agree with the registry entry.
_SHARED_FIELDS = ("title", "source", "url", "published_at")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store."""

    kind: str
    detail: str
    article_id: str | None = None
    chunk_ids: tuple[str, ...] = ()
    origin: str | None = None

    @property
    def fix(self) -> str:
        """What ``--repair`` does about it."""
        return _FIXES[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "detail": self.detail,
            "chunk_ids": list(self.chunk_ids),
            "origin": self.origin,
            "repair": self.fix,
        }


@dataclass
class CheckReport:
    """What a check found (and, after a repair, what is left)."""

    store: str
    articles: int = 0
    chunks: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the store is consistent now (after any repair)."""
        return not (self.remaining if self.repaired else self.problems)

    @property
    def reingest(self) -> list[str]:
        """Sources to ingest again: articles a repair dropped (or would drop)."""
        dropped = self.repaired or self.problems
        origins = (
            p.origin or p.article_id or ""
            for p in dropped
            if p.kind in _DROP and p.kind != "interrupted_delete"
        )
        return sorted({o for o in origins if o})

    def lines(self) -> list[str]:
        """Human-readable report, one line per problem."""
        head = f"store {self.store}: {self.articles} articles, {self.chunks} chunks"
        if not self.problems:
            return [head, "ok: no problems found"]
        out = [head, f"{len(self.problems)} problem(s):"]
        done = bool(self.repaired)
        for p in self.problems:
            chunks = f" ({len(p.chunk_ids)} chunks)" if p.chunk_ids else ""
            what = f"{p.kind}: {p.article_id + ': ' if p.article_id else ''}{p.detail}{chunks}"
            out.append(f"  {what} -> {'repaired: ' if done else 'repair: '}{p.fix}")
        if self.reingest:
            verb = "ingest these sources again" if done else "after --repair, ingest again"
            out.append(f"{verb}: " + ", ".join(self.reingest))
        if done:
            out.append(
                "ok: the store is consistent now"
                if self.ok
                else f"still {len(self.remaining)} problem(s) after the repair"
            )
        else:
            out.append("run `newsqa check --repair` to fix them")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "store": self.store,
            "ok": self.ok,
            "articles": self.articles,
            "chunks": self.chunks,
            "problems": [p.to_dict() for p in self.problems],
            "repaired": [p.to_dict() for p in self.repaired],
            "remaining": [p.to_dict() for p in self.remaining],
            "reingest": self.reingest,
        }


def chunk_hash(chunk: StoredChunk) -> str:
    """The hash a chunk's metadata should carry (see ``ingest.chunking.Chunk.hash``)."""
    header = str(chunk.meta.get("header") or "")
    indexed = f"{header}\n{chunk.text}" if header else chunk.text
    return hashlib.sha256(indexed.encode("utf-8")).hexdigest()[:32]


def find_problems(store: Store) -> tuple[list[Problem], int, int]:
    """Scan the registry and every chunk; ``(problems, articles, chunks)``.

    Callers should hold the store's writer lock, or a live ingest looks broken.
    """
    records = {r.id: r for r in store.iter_records()}
    by_article: dict[str, list[StoredChunk]] = defaultdict(list)
    n_chunks = 0
    for chunk in store.iter_chunks():
        n_chunks += 1
        by_article[str(chunk.meta.get("article_id", ""))].append(chunk)
    problems: list[Problem] = []
    for article_id, chunks in sorted(by_article.items()):
        if article_id not in records:
            problems.append(
                Problem(
                    "orphan_chunks",
                    "chunks of an article the registry does not know",
                    article_id or None,
                    tuple(sorted(c.id for c in chunks)),
                )
            )
    for record in sorted(records.values(), key=lambda r: r.id):
        problems += _article_problems(record, by_article.get(record.id, []))
    if store.interrupted_write() is not None:
        problems.append(
            Problem("interrupted_write", "a writer died before publishing its last write")
        )
    done = sum(r.status == DONE for r in records.values())
    return problems, done, n_chunks


def _article_problems(record: ArticleRecord, chunks: list[StoredChunk]) -> list[Problem]:
    ids = tuple(sorted(c.id for c in chunks))
    origin = record.origin or record.url or None

    def problem(kind: str, detail: str, chunk_ids: tuple[str, ...] = ids) -> Problem:
        return Problem(kind, detail, record.id, chunk_ids, origin)

    if record.status == DELETING:
        return [problem("interrupted_delete", "a delete stopped half-way")]
    if record.status != DONE:
        what = "a write stopped half-way" if record.status == PENDING else "unknown status"
        return [problem("incomplete", f"{what} (status {record.status!r})")]
    expected = {f"{record.id}:{n}" for n in range(record.n_chunks)}
    have = {c.id for c in chunks}
    out = []
    if missing := sorted(expected - have):
        detail = f"{len(missing)} of {record.n_chunks} chunks missing (e.g. {missing[0]})"
        out.append(problem("missing_chunks", detail))
    if extra := tuple(sorted(have - expected)):
        out.append(problem("stray_chunks", f"chunks beyond its {record.n_chunks}", extra))
    bad = [c.id for c in chunks if c.id in expected and not _intact(c)]
    if bad:
        out.append(problem("hash_mismatch", f"chunk text does not match its hash: {bad[0]}"))
    header = article_header(_as_article(record))
    stale = [c.id for c in chunks if c.id in expected and not _agrees(c, record, header)]
    if stale and not bad:
        out.append(problem("stale_metadata", f"chunk metadata differs from the entry: {stale[0]}"))
    return out


def _intact(chunk: StoredChunk) -> bool:
    meta = chunk.meta
    try:
        length_ok = int(meta["end"]) - int(meta["start"]) == len(chunk.text)
    except (KeyError, TypeError, ValueError):
        return False
    return length_ok and meta.get("hash") == chunk_hash(chunk)


def _agrees(chunk: StoredChunk, record: ArticleRecord, header: str) -> bool:
    meta = chunk.meta
    if str(meta.get("header") or "") != header:
        return False
    return all(meta.get(f) == getattr(record, f) for f in _SHARED_FIELDS)


def _as_article(record: ArticleRecord) -> Any:
    from ingest.article import Article

    return Article(
        id=record.id,
        title=record.title,
        body="",
        source=record.source,
        published_at=record.published_at,
    )


def check_store(
    store: Store,
    repair: bool = False,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> CheckReport:
    """Check ``store`` (holding its writer lock); with ``repair``, fix what is found.

    Example:
        >>> report = check_store(Store(Settings.from_env()))   # doctest: +SKIP
        >>> report.ok, [p.kind for p in report.problems]         # doctest: +SKIP
        (False, ['incomplete'])
    """
    report = CheckReport(store.label)
    with store.exclusive("repair" if repair else "check", wait, on_wait, recover=False):
        report.problems, report.articles, report.chunks = find_problems(store)
        if not repair or not report.problems:
            return report
        apply_repairs(store, report.problems)
        report.repaired = list(report.problems)
        report.remaining, report.articles, report.chunks = find_problems(store)
    return report


def apply_repairs(store: Store, problems: list[Problem]) -> None:
    """Fix ``problems`` (found by :func:`find_problems`; the caller holds the lock)."""
    store.delete_chunks([c for p in problems if p.kind in _CHUNK_ONLY for c in p.chunk_ids])
    drop = sorted({p.article_id for p in problems if p.kind in _DROP and p.article_id})
    for start in range(0, len(drop), 200):
        store.drop(drop[start : start + 200])
    store.recover_interrupted_write()
