"""Near-duplicate detection: shingles, signatures, the LSH matcher and its threshold."""

from __future__ import annotations

import json
import re

import pytest

from ingest.dedup import (
    DEFAULT_THRESHOLD,
    NUM_PERM,
    StoryMatcher,
    decode,
    encode,
    shingles,
    signature,
    similarity,
)
from newsqa.settings import Settings
from tests.ingest.ingest_helpers import DEV_ARTICLES


def bodies(n: int) -> list[tuple[str, str]]:
    rows = []
    with DEV_ARTICLES.open(encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            rows.append((row["id"], row["body"]))
            if len(rows) == n:
                break
    return rows


def wire_copy(body: str) -> str:
    """Another outlet's version: dateline, last fifth cut, boilerplate, a sentence
    reworded."""
    paragraphs = [p for p in body.split("\n") if p.strip()]
    kept = paragraphs[: max(1, len(paragraphs) - len(paragraphs) // 5)]
    text = "LONDON (Wire) — " + "\n".join(kept)
    text = re.sub(r"\bsaid\b", "stated", text, count=1)
    return text + "\nSign up for our newsletter to get the top stories in your inbox."


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    a = shingles("The Mayor said:  the bridge, reopened on Tuesday, is safe.")
    b = shingles("the mayor SAID the bridge reopened\non tuesday is safe")
    assert a == b and len(a) == 6
    assert shingles("Nur drei Wörter") == {"nur drei wörter".encode()}


def test_signatures_round_trip_and_short_texts_have_none() -> None:
    (_, body), *_ = bodies(1)
    sig = signature(body)
    assert sig is not None and sig.shape == (NUM_PERM,)
    assert (decode(encode(sig)) == sig).all()
    assert signature("Read more on our site.") is None
    with pytest.raises(ValueError):
        decode(encode(sig)[:100])


def test_a_wire_copy_is_the_same_story_and_another_article_is_not() -> None:
    articles = bodies(40)
    matcher = StoryMatcher()
    for article_id, body in articles:
        matcher.add(article_id, article_id, signature(body))
    for article_id, body in articles[:10]:
        copy = signature(wire_copy(body))
        match = matcher.match(copy)
        assert match is not None and match.story_id == article_id, article_id
        assert similarity(copy, signature(body)) >= DEFAULT_THRESHOLD  # type: ignore[arg-type]
        # An article being updated is never matched with itself.
        itself = matcher.match(signature(body), exclude=article_id)
        assert itself is None or itself.article_id != article_id
    unrelated = signature(" ".join(f"word{i} filler{i % 7}" for i in range(300)))
    assert matcher.match(unrelated) is None


def test_the_matcher_takes_the_story_of_its_match_and_forgets_removed_articles() -> None:
    (first, body), *_ = bodies(1)
    matcher = StoryMatcher()
    matcher.add(first, first, signature(body))
    matcher.add("copy-1", first, signature(wire_copy(body)))  # joined the first story
    assert len(matcher) == 2 and "copy-1" in matcher
    matcher.remove([first])
    match = matcher.match(signature(body))
    assert match is not None and (match.article_id, match.story_id) == ("copy-1", first)
    matcher.remove(["copy-1"])
    assert matcher.match(signature(body)) is None and len(matcher) == 0


def test_the_threshold_is_the_settings_default_and_is_checked() -> None:
    assert Settings().story_threshold == DEFAULT_THRESHOLD
    with pytest.raises(ValueError):
        StoryMatcher(threshold=0.0)
    with pytest.raises(ValueError):
        Settings(story_threshold=1.5).validate()
