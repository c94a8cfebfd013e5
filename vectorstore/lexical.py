"""The lexical (BM25) index: SQLite FTS5, persisted, updated incrementally.

The index is a local cache of the chunks in Chroma. Before a search it compares the
store's revision token with the one it last saw; only when they differ does it diff
the article registry against its own table and add or drop the articles that
changed. A query never rebuilds anything, and another process's ingest shows up on
the next search.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.sentences import sentence_spans
from vectorstore.store import DONE, Store, StoredChunk

SCHEMA_VERSION = "3"  # 3: CJK text indexed as character bigrams
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, source TEXT, doc TEXT, meta TEXT
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    text, chunk_id UNINDEXED, article_id UNINDEXED, source UNINDEXED, published_ts UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_sentences USING fts5(
    text, chunk_id UNINDEXED, article_id UNINDEXED, source UNINDEXED, published_ts UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TABLES = ("chunks", "fts", "fts_sentences", "articles", "state")
# A sentence ranking returns several sentences per chunk: read this many per chunk wanted.
_SENTENCES_PER_CHUNK = 6
_STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have he her his how
    i if in into is it its of on or our she so than that the their them then there these
    they this those to was we were what when where which who whom whose why will with
    would you your about after before did does also any can could should may might""".split()
)
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Chinese, Japanese and Korean are written without spaces: a run of their characters
# is indexed and searched as overlapping character pairs (the usual bigram approach).
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]++")


def cjk_bigrams(text: str) -> str:
    """``text`` with every CJK run replaced by its character pairs, space-separated.

    >>> cjk_bigrams("七国集团 G7 loan")
    '七国 国集 集团 G7 loan'
    """

    def pairs(match: re.Match[str]) -> str:
        run = match.group()
        return run if len(run) == 1 else " ".join(run[i : i + 2] for i in range(len(run) - 1))

    return _CJK_RUN.sub(pairs, text)
# Terms found in more than this share of the sentence rows are left out of sentence
# queries: their BM25 weight is tiny, yet scoring every sentence they match was most
# of a search's time (a dynamic stopword list: "said", "report", "article" ... in a
# news corpus). The chunk table has a tenth of the rows and keeps every term: pruning
# it too saved little time and lost a few hits on MultiHop-RAG dev.
MAX_TERM_SHARE = 0.05
_SYNC_PAGE = 200


@dataclass(frozen=True)
class LexicalFilter:
    """Outlets and a published-date range (Unix seconds) to restrict a search."""

    sources: tuple[str, ...] = ()
    after_ts: int | None = None
    before_ts: int | None = None


def query_terms(text: str) -> list[str]:
    """Distinct lower-cased words of ``text`` without stopwords.

    >>> query_terms("How large is the G7 loan package for Ukraine?")
    ['large', 'g7', 'loan', 'package', 'ukraine']
    """
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(cjk_bigrams(text.lower())):
        if token not in _STOPWORDS and token not in seen:
            seen[token] = None
    return list(seen)


class LexicalIndex:
    """BM25 over chunk text (with each chunk's title/outlet/date header).

    Example:
        >>> index = LexicalIndex(store)                     # doctest: +SKIP
        >>> [c.id for c, _ in index.search("G7 loan", 3)]   # doctest: +SKIP
        ['u3f2a...:1', ...]
    """

    def __init__(self, store: Store, path: Path | None = None) -> None:
        self.store = store
        self.path = path or default_path(store)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._migrate()
        self._lock = threading.Lock()
        self._seen_revision: str | None = None
        self._sources: tuple[str | None, list[str]] | None = None
        # Rows matching each (table, term), and rows per table; emptied on a new revision.
        self._df: dict[tuple[str, str], int] = {}
        self._rows: dict[str, int] = {}

    def _migrate(self) -> None:
        """The index is a cache: an older layout is dropped and rebuilt from the store."""
        try:
            row = self._db.execute("SELECT value FROM state WHERE key='schema'").fetchone()
        except sqlite3.OperationalError:
            row = None
        if row is None or row[0] != SCHEMA_VERSION:
            for table in _TABLES:
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR REPLACE INTO state(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
        )

    def close(self) -> None:
        """Close the SQLite connection."""
        self._db.close()

    def refresh(self) -> bool:
        """Bring the index up to date with the store; True when anything changed."""
        revision = self.store.revision()
        with self._lock:
            if revision == self._seen_revision:
                return False
            # Another process may have synced this file already: counts are stale either way.
            self._df.clear()
            self._rows.clear()
            stored = self._db.execute("SELECT value FROM state WHERE key='revision'").fetchone()
            if stored and stored[0] == revision:
                self._seen_revision = revision
                return False
            changed = self._sync()
            self._db.execute(
                "INSERT OR REPLACE INTO state(key, value) VALUES ('revision', ?)", (revision,)
            )
            self._seen_revision = revision
            return changed

    def _sync(self) -> bool:
        wanted = {r.id: r.content_hash for r in self.store.iter_records() if r.status == DONE}
        have = dict(self._db.execute("SELECT article_id, content_hash FROM articles").fetchall())
        drop = [a for a, h in have.items() if wanted.get(a) != h]
        add = [a for a, h in wanted.items() if have.get(a) != h]
        self._db.execute("BEGIN")
        try:
            for article_id in drop:
                for table in ("fts", "fts_sentences", "chunks", "articles"):
                    self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            for start in range(0, len(add), _SYNC_PAGE):
                ids = add[start : start + _SYNC_PAGE]
                self._insert(self.store.chunks_of(ids))
                self._db.executemany(
                    "INSERT OR REPLACE INTO articles(article_id, content_hash) VALUES (?, ?)",
                    [(a, wanted[a]) for a in ids],
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return bool(drop or add)

    def _insert(self, chunks: list[StoredChunk]) -> None:
        chunk_rows, fts_rows, sentence_rows = [], [], []
        for chunk in chunks:
            meta = chunk.meta
            header = meta.get("header", "")
            keys = (chunk.id, chunk.article_id, meta.get("source"), meta.get("published_ts"))
            chunk_rows.append(
                (chunk.id, chunk.article_id, meta.get("source"), chunk.text, json.dumps(meta))
            )
            text = cjk_bigrams(f"{header}\n{chunk.text}" if header else chunk.text)
            fts_rows.append((text, *keys))
            sentence_rows += [
                (cjk_bigrams(f"{header}\n{chunk.text[a:b]}"), *keys)
                for a, b in sentence_spans(chunk.text)
            ]
        self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?)", chunk_rows)
        for table, rows in (("fts", fts_rows), ("fts_sentences", sentence_rows)):
            self._db.executemany(
                f"INSERT INTO {table}(text, chunk_id, article_id, source, published_ts)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def search(
        self, question: str, k: int, filters: LexicalFilter | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """Best ``k`` chunks by BM25 for the words of ``question`` (higher is better)."""
        return self._ranked("fts", question, k, filters, 1)

    def search_sentences(
        self, question: str, k: int, filters: LexicalFilter | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """Best ``k`` chunks ranked by their best-matching single sentence.

        A fact is one sentence; scoring sentences finds it inside a long chunk that
        whole-chunk BM25 ranks below chunks merely sharing many common words.
        """
        return self._ranked("fts_sentences", question, k, filters, _SENTENCES_PER_CHUNK)

    def _ranked(
        self, table: str, question: str, k: int, filters: LexicalFilter | None, fanout: int
    ) -> list[tuple[StoredChunk, float]]:
        terms = query_terms(question)
        if not terms:
            return []
        self.refresh()
        if table == "fts_sentences":
            with self._lock:
                terms = self._selective(table, terms)
            if not terms:
                return []
        match = " OR ".join(_quoted(t) for t in terms)
        sql = f"SELECT chunk_id, bm25({table}) FROM {table} WHERE {table} MATCH ?"
        params: list[Any] = [match]
        if filters:
            if filters.sources:
                sql += f" AND source IN ({','.join('?' * len(filters.sources))})"
                params += list(filters.sources)
            if filters.after_ts is not None:
                sql += " AND published_ts >= ?"
                params.append(filters.after_ts)
            if filters.before_ts is not None:
                sql += " AND published_ts <= ?"
                params.append(filters.before_ts)
        sql += f" ORDER BY bm25({table}) LIMIT ?"
        params.append(k * fanout)
        with self._lock:
            best: dict[str, float] = {}
            for chunk_id, score in self._db.execute(sql, params):
                best.setdefault(chunk_id, -score)
            ids = list(best)[:k]
            found = {
                cid: StoredChunk(cid, doc, json.loads(meta))
                for cid, doc, meta in self._db.execute(
                    f"SELECT chunk_id, doc, meta FROM chunks WHERE chunk_id IN "
                    f"({','.join('?' * len(ids))})",
                    ids,
                )
            }
        return [(found[c], best[c]) for c in ids if c in found]

    def _selective(self, table: str, terms: list[str]) -> list[str]:
        """``terms`` without those matching more than :data:`MAX_TERM_SHARE` of the rows.

        When every term is that common, the two rarest stay. Terms matching nothing
        are dropped too (they cannot change a ranking). Caller holds the lock.
        """
        if table not in self._rows:
            self._rows[table] = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        df = {}
        for term in terms:
            key = (table, term)
            if key not in self._df:
                self._df[key] = self._db.execute(
                    f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (_quoted(term),)
                ).fetchone()[0]
            if self._df[key]:
                df[term] = self._df[key]
        limit = MAX_TERM_SHARE * self._rows[table]
        kept = [t for t in df if df[t] <= limit]
        return kept or sorted(df, key=df.__getitem__)[:2]

    def sources(self) -> list[str]:
        """Distinct outlets of the indexed chunks (after a refresh)."""
        self.refresh()
        with self._lock:
            # Every question asks for the outlets; scanning all chunks each time grows
            # with the corpus, so the list is kept until the index changes.
            if self._sources is None or self._sources[0] != self._seen_revision:
                rows = self._db.execute(
                    "SELECT DISTINCT source FROM chunks WHERE source IS NOT NULL"
                ).fetchall()
                self._sources = (self._seen_revision, sorted(r[0] for r in rows))
            return list(self._sources[1])

    def count(self) -> int:
        """Number of indexed chunks."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])


def _quoted(term: str) -> str:
    """``term`` as an FTS5 string (no operators, no column filters)."""
    return '"' + term.replace('"', "") + '"'


def default_path(store: Store) -> Path:
    """Per-store index file under the data dir (one per Chroma URL and collection)."""
    settings = store.settings
    key = f"{settings.chroma_url or 'embedded'}|{settings.collection}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return settings.home / "lexical" / f"{settings.collection}-{digest}.sqlite"
