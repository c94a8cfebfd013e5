"""Near-duplicate detection: one wire story republished by several outlets is one story.

A body is normalised (NFC, case-folded, words only) and cut into word 5-grams
(shingles). A MinHash signature (128 permutations) of the shingle set estimates the
Jaccard similarity of two bodies; an LSH index over the signatures finds the few stored
articles likely to be similar without comparing against every one. A candidate is
confirmed when the estimated Jaccard similarity reaches the threshold, and the new
article joins the candidate's story; otherwise it starts a story of its own (its id).

The threshold was measured on MultiHop-RAG articles, lightly edited copies of them and
different articles on the same topics (``bench/bench_dedup.py``, README "Story
grouping"). Nothing here knows where signatures are kept: see
:mod:`vectorstore.stories`.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from ingest.article import normalize_text

NUM_PERM = 128
SHINGLE_WORDS = 5
# Estimated Jaccard similarity of the word 5-gram sets at or above which two bodies are
# one story (measured: bench/results/dedup.json).
DEFAULT_THRESHOLD = 0.35
# Bodies with fewer shingles than this (about a dozen words) are never grouped: two
# one-line teasers say too little to call them one story.
MIN_SHINGLES = 8
# The LSH index is built for half the confirmation threshold, so candidates near the
# threshold are not lost to its banding: at 0.35 it has 37 bands of 2 rows, which miss
# a pair of similarity 0.35 with probability 0.8 %, one of 0.43 with 0.05 %, and offer
# one of 0.05 as a candidate (then refused) with 9 %.
_LSH_SHARE = 0.5
_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's 32-bit hash values: stored as 4 bytes each
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME)

Signature = np.ndarray


def shingles(text: str, words: int = SHINGLE_WORDS) -> set[bytes]:
    """The word ``words``-grams of ``text`` after normalising it (case, Unicode form,
    punctuation and whitespace do not count); a shorter text is one shingle.

    >>> sorted(shingles("The mayor said, on Tuesday: bridge open!", 5))[:2]
    [b'mayor said on tuesday bridge', b'said on tuesday bridge open']
    >>> shingles("") == set()
    True
    """
    tokens = _WORD.findall(normalize_text(text).casefold())
    if not tokens:
        return set()
    if len(tokens) < words:
        return {" ".join(tokens).encode("utf-8")}
    return {" ".join(tokens[i : i + words]).encode("utf-8") for i in range(len(tokens) - words + 1)}


def signature(text: str) -> Signature | None:
    """The MinHash signature (``NUM_PERM`` unsigned 32-bit values) of a body's shingles;
    ``None`` for a body too short to be grouped (see ``MIN_SHINGLES``).

    >>> a = signature("Officials said the bridge reopened on Tuesday after eight months of repairs")
    >>> a.shape, a.dtype
    ((128,), dtype('uint32'))
    >>> signature("Too short.") is None
    True
    """
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = _TEMPLATE.copy()
    minhash.update_batch(list(grams))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets (share of equal values).

    >>> s = signature("A long enough body of text that talks about one thing only today.")
    >>> similarity(s, s)
    1.0
    """
    return float(np.count_nonzero(a == b)) / len(a)


def encode(sig: Signature) -> str:
    """A signature as ASCII text (base64 of little-endian 32-bit values, 684 characters).

    >>> s = signature("A long enough body of text that talks about one thing only today.")
    >>> bool((decode(encode(s)) == s).all())
    True
    """
    return base64.b64encode(np.asarray(sig, dtype="<u4").tobytes()).decode("ascii")


def decode(text: str) -> Signature:
    """The signature :func:`encode` wrote; ``ValueError`` if it is not one."""
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != NUM_PERM * 4:
        raise ValueError(f"a signature has {NUM_PERM * 4} bytes, not {len(raw)}")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


@dataclass(frozen=True)
class Match:
    """The story a body was found to belong to: through which article, how similar."""

    story_id: str
    article_id: str
    similarity: float


class StoryMatcher:
    """Signatures in an in-memory LSH index: which known story a new body belongs to.

    Thread-safe. Example:
        >>> body = " ".join(f"word{i}" for i in range(40))
        >>> matcher = StoryMatcher(threshold=0.5)
        >>> matcher.add("a1", "a1", signature(body))
        >>> matcher.match(signature(body + " and a new last sentence here")).story_id
        'a1'
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the story threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=max(0.1, threshold * _LSH_SHARE), num_perm=NUM_PERM)
        self._entries: dict[str, tuple[str, Signature]] = {}  # article id -> story, sig
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def add(self, article_id: str, story_id: str, sig: Signature | None) -> None:
        """Index an article's signature under its story (replacing what it had)."""
        with self._lock:
            self._remove(article_id)
            if sig is None:
                return
            self._lsh.insert(article_id, _minhash(sig))
            self._entries[article_id] = (story_id, sig)

    def remove(self, article_ids: Iterable[str]) -> None:
        """Forget articles (deleted from the store)."""
        with self._lock:
            for article_id in article_ids:
                self._remove(article_id)

    def _remove(self, article_id: str) -> None:
        if self._entries.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def match(self, sig: Signature | None, exclude: str | None = None) -> Match | None:
        """The most similar indexed article at or above the threshold (never ``exclude``,
        the article itself when it is being updated), else ``None``."""
        if sig is None:
            return None
        with self._lock:
            best: Match | None = None
            for candidate in self._lsh.query(_minhash(sig)):
                if candidate == exclude:
                    continue
                story_id, other = self._entries[candidate]
                score = similarity(sig, other)
                if score >= self.threshold and (
                    best is None or (score, candidate) > (best.similarity, best.article_id)
                ):
                    best = Match(story_id, candidate, score)
            return best


class _Sketch:
    """What the LSH index reads of a MinHash (its values, length and scheme), without
    building one: loading a store's signatures at start stays cheap."""

    __slots__ = ("hashvalues",)
    scheme = _SCHEME

    def __init__(self, sig: Signature) -> None:
        self.hashvalues = sig

    def __len__(self) -> int:
        return len(self.hashvalues)


def _minhash(sig: Signature) -> Any:
    return _Sketch(np.asarray(sig, dtype=np.uint32))
