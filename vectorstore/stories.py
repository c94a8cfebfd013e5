"""Story grouping's memory: MinHash signatures in the ``{name}_stories`` collection.

One record per article (its id): the signature of its body (base64, see
:mod:`ingest.dedup`), its story id, and ``seq``, a number that grows with every write.
Each process keeps the signatures in an in-memory LSH index: the first write loads them
all, every later write first takes in those with a higher ``seq`` (written since by any
process), so the index stays current without being rebuilt. Writers hold the store's
writer lock, so a new ``seq`` is always above every one already stored.

Articles stored before story grouping existed are signed on the first write (their
story is their own id): a new copy of an old story still finds it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest.article import Article
from ingest.dedup import (
    DEFAULT_THRESHOLD,
    Signature,
    StoryMatcher,
    decode,
    encode,
    signature,
)

_PAGE = 1000
_VECTOR = [1.0]  # the collection is looked up by id and metadata, never by vector


@dataclass
class StoryPlan:
    """Story ids decided for a batch of articles, and the signatures to save with them."""

    story_ids: dict[str, str] = field(default_factory=dict)
    signatures: dict[str, Signature | None] = field(default_factory=dict)

    def __getitem__(self, article_id: str) -> str:
        return self.story_ids.get(article_id, article_id)


class StoryIndex:
    """Assigns story ids to articles being written, and remembers their signatures.

    ``stories`` and ``articles`` return the Chroma collections; ``call`` wraps Chroma
    calls (the store turns connection errors and a full disk into its own errors).

    Example:
        >>> index = store.story_index()        # doctest: +SKIP
        >>> plan = index.assign([article])      # doctest: +SKIP
        >>> plan[article.id]                    # doctest: +SKIP
        'mhr-a001'
        >>> index.save(plan)                    # doctest: +SKIP
    """

    def __init__(
        self,
        stories: Callable[[], Any],
        articles: Callable[[], Any],
        call: Callable[..., Any],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self._stories = stories
        self._articles = articles
        self._call = call
        self.matcher = StoryMatcher(threshold)
        self._seq = -1
        self._loaded = False
        self._lock = threading.RLock()
        # Time spent grouping (signatures, matching, reading and saving signatures),
        # and the part of it that is computing signatures and matching them.
        self.seconds = 0.0
        self.compute_seconds = 0.0

    def assign(self, articles: Sequence[Article]) -> StoryPlan:
        """The story of each article: the story of the most similar stored article (or
        of an earlier one in ``articles``) at or above the threshold, else its own id.

        Nothing is saved: call :meth:`save` with the plan once the articles are written.
        """
        started = time.perf_counter()
        with self._lock:
            self.sync()
            began = time.perf_counter()
            plan = StoryPlan()
            batch_ids: list[str] = []
            batch_sigs: list[Signature] = []
            for article in articles:
                sig = signature(article.body)
                story = article.id
                match = self.matcher.match(sig, exclude=article.id)
                best = match.similarity if match else 0.0
                if match:
                    story = match.story_id
                if sig is not None and batch_sigs:  # copies within one batch
                    scores = np.count_nonzero(np.stack(batch_sigs) == sig, axis=1) / len(sig)
                    at = int(np.argmax(scores))
                    if scores[at] >= self.matcher.threshold and scores[at] > best:
                        story = plan.story_ids[batch_ids[at]]
                plan.story_ids[article.id] = story
                plan.signatures[article.id] = sig
                if sig is not None and article.id not in batch_ids:
                    batch_ids.append(article.id)
                    batch_sigs.append(sig)
            self.compute_seconds += time.perf_counter() - began
            self.seconds += time.perf_counter() - started
        return plan

    def save(self, plan: StoryPlan) -> None:
        """Store the plan's signatures and story ids, and index them here."""
        if not plan.story_ids:
            return
        started = time.perf_counter()
        with self._lock:
            self._save(plan)
            self.seconds += time.perf_counter() - started

    def _save(self, plan: StoryPlan) -> None:
        with self._lock:
            ids = list(plan.story_ids)
            seqs = [self._next_seq() for _ in ids]
            metas = [
                {"story_id": plan.story_ids[i], "sig": _encoded(plan.signatures.get(i)), "seq": seq}
                for i, seq in zip(ids, seqs, strict=True)
            ]
            for start in range(0, len(ids), _PAGE):
                self._call(
                    self._stories().upsert,
                    ids=ids[start : start + _PAGE],
                    embeddings=[_VECTOR] * len(ids[start : start + _PAGE]),
                    metadatas=metas[start : start + _PAGE],
                )
            for i in ids:
                self.matcher.add(i, plan.story_ids[i], plan.signatures.get(i))

    def forget(self, article_ids: Sequence[str]) -> None:
        """Drop deleted articles' signatures (here and in the collection)."""
        if not article_ids:
            return
        with self._lock:
            self.matcher.remove(article_ids)
            self._call(self._stories().delete, ids=list(article_ids))

    def sync(self) -> None:
        """Take in the signatures written since the last sync, by any process; the first
        sync loads every one and signs articles stored before story grouping existed."""
        with self._lock:
            first = not self._loaded
            offset = 0
            while True:
                got = self._call(
                    self._stories().get,
                    where={"seq": {"$gt": self._seq}},
                    include=["metadatas"],
                    limit=_PAGE,
                    offset=offset,
                )
                for article_id, meta in zip(got["ids"], got["metadatas"], strict=True):
                    self._take(article_id, meta or {})
                if len(got["ids"]) < _PAGE:
                    break
                offset += _PAGE
            self._loaded = True
            if first:
                self._sign_unsigned()

    def _take(self, article_id: str, meta: dict[str, Any]) -> None:
        self._seq = max(self._seq, int(meta.get("seq") or 0))
        try:
            sig = decode(str(meta["sig"])) if meta.get("sig") else None
        except ValueError:  # a damaged record: the article is re-signed when rewritten
            sig = None
        self.matcher.add(article_id, str(meta.get("story_id") or article_id), sig)

    def _next_seq(self) -> int:
        self._seq = max(time.time_ns() // 1000, self._seq + 1)
        return self._seq

    def _sign_unsigned(self) -> None:
        """Sign registry articles that have no signature record (stored before story
        grouping existed), each as its own story unless its record names one."""
        stored = self._call(self._articles().count)
        if stored == 0:
            return
        signed = set(self._all_ids(self._stories()))
        missing = [i for i in self._all_ids(self._articles()) if i not in signed]
        for start in range(0, len(missing), _PAGE):
            part = missing[start : start + _PAGE]
            got = self._call(self._articles().get, ids=part, include=["metadatas", "documents"])
            plan = StoryPlan()
            for article_id, meta, body in zip(
                got["ids"], got["metadatas"], got["documents"], strict=True
            ):
                plan.story_ids[article_id] = str((meta or {}).get("story_id") or article_id)
                plan.signatures[article_id] = signature(body or "")
            self._save(plan)

    def _all_ids(self, collection: Any) -> list[str]:
        ids: list[str] = []
        offset = 0
        while True:
            got = self._call(collection.get, include=[], limit=_PAGE * 10, offset=offset)
            ids += got["ids"]
            if len(got["ids"]) < _PAGE * 10:
                return ids
            offset += _PAGE * 10


def _encoded(sig: Signature | None) -> str:
    return "" if sig is None else encode(sig)
