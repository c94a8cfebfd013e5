"""Fixtures for the reliability tests: a generated 100-article corpus in two versions,
store snapshots to compare stores exactly, and a few shared constants."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from newsqa.settings import Settings
from vectorstore.store import Store

N_ARTICLES = 100
# Small chunks: ~600-character articles become 2-3 chunks, so "every chunk of an
# article is there" and stale-chunk removal are exercised.
CHUNK_CHARS = 300

_PEOPLE = ["Ana Lopez", "Mark Chen", "Priya Nair", "Tom Berg", "Lena Vogel", "Omar Haddad"]
_PLACES = ["Riverton", "Northgate", "Port Ellis", "Lakeside", "Granby", "Westfield"]
_THINGS = ["bridge", "tram line", "water plant", "school", "harbour", "library", "stadium"]
_VERBS = ["cost", "save", "employ", "serve", "carry", "house"]
_OUTLETS = ["Coastal Times", "Valley Post", "Metro Ledger", "Northern Star"]


def _sentence(rng: random.Random, n: int, i: int) -> str:
    return (
        f"{rng.choice(_PEOPLE)} said the {rng.choice(_THINGS)} in {rng.choice(_PLACES)} "
        f"would {rng.choice(_VERBS)} {rng.randint(2, 900)} thousand people by {2025 + i % 7}, "
        f"item {n}-{i}."
    )


def articles(version: int = 2) -> list[dict[str, Any]]:
    """The corpus: 100 records of ~600 characters. Version 2 edits 45 of version 1's
    articles: 20 change their last sentence, 10 get shorter (stale chunks to drop),
    10 longer, 5 get a new title (every chunk's header changes)."""
    out = []
    for n in range(N_ARTICLES):
        rng = random.Random(n)
        sentences = [_sentence(rng, n, i) for i in range(6)]
        title = f"{rng.choice(_THINGS).title()} plan for {rng.choice(_PLACES)} ({n})"
        if version >= 2:
            if n < 20:
                sentences[-1] = _sentence(random.Random(1000 + n), n, 99)
            elif n < 30:
                sentences = sentences[:3]
            elif n < 40:
                sentences += [_sentence(random.Random(2000 + n), n, 100 + i) for i in range(4)]
            elif n < 45:
                title += " (updated)"
        out.append(
            {
                "id": f"rel-{n:03d}",
                "title": title,
                "source": _OUTLETS[n % len(_OUTLETS)],
                "published_at": f"2024-0{1 + n % 9}-{10 + n % 18:02d}T08:00:00+00:00",
                "url": f"https://news.example/{n:03d}",
                "body": " ".join(sentences),
            }
        )
    return out


def write_corpus(path: Path, version: int = 2) -> Path:
    """Write the corpus as JSON Lines to ``path`` (overwriting) and return it."""
    path.write_text("".join(json.dumps(a) + "\n" for a in articles(version)), encoding="utf-8")
    return path


def rel_settings(home: Path, **changes: Any) -> Settings:
    """Settings for a reliability store in ``home``."""
    base = Settings(home=home, llm="extractive", chunk_chars=CHUNK_CHARS, progress=False)
    return base.with_(**changes) if changes else base


def snapshot(store: Store) -> dict[str, Any]:
    """Everything that defines a store's content, in comparable form.

    Registry entries without their ingest time, every chunk's text and metadata, and
    every chunk's embedding (compared with a tolerance: batching changes the last bits).
    """
    records = {
        r.id: (
            r.content_hash,
            r.title,
            r.source,
            r.url,
            r.published_at,
            r.author,
            r.origin,
            r.n_chunks,
            r.status,
        )
        for r in store.iter_records()
    }
    chunks = {c.id: (c.text, tuple(sorted(c.meta.items()))) for c in store.iter_chunks()}
    got = store.chunks.get(include=["embeddings"])
    pairs = zip(got["ids"], got["embeddings"], strict=True)
    vectors = {i: np.asarray(e, dtype=np.float32) for i, e in pairs}
    return {"records": records, "chunks": chunks, "vectors": vectors}


def assert_same_store(actual: dict[str, Any], expected: dict[str, Any], label: str = "") -> None:
    """Registry and chunks identical, embeddings equal up to float noise (cosine)."""
    assert actual["records"].keys() == expected["records"].keys(), label
    for key, value in expected["records"].items():
        assert actual["records"][key] == value, f"{label}: registry entry {key} differs"
    assert actual["chunks"].keys() == expected["chunks"].keys(), f"{label}: chunk ids differ"
    for key, value in expected["chunks"].items():
        assert actual["chunks"][key] == value, f"{label}: chunk {key} differs"
    for key, vector in expected["vectors"].items():
        cosine = float(np.dot(actual["vectors"][key], vector))  # both unit length
        assert cosine > 0.9999, f"{label}: vector {key} differs (cosine {cosine:.6f})"


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write ``records`` as JSON Lines to ``path`` and return it."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
