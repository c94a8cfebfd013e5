"""The overwrite policy on its own: which updates may replace a stored article."""

from __future__ import annotations

from ingest.article import TEASER, Article
from ingest.policy import StoredState, refusal

FEED = "https://news.example.com/feed.xml"


def _article(body: str, provenance: str = FEED, completeness: str = "full") -> Article:
    return Article(
        id="a1", title="T", body=body, provenance=provenance, completeness=completeness
    )


def test_same_input_longer_or_similar_text_replaces() -> None:
    stored = StoredState("h", "done", FEED, chars=1000)
    assert refusal(stored, _article("x" * 1000)) is None
    assert refusal(stored, _article("x" * 600)) is None  # a trimmed correction
    assert refusal(stored, _article("x" * 5000)) is None


def test_another_input_claiming_the_id_is_refused_and_named() -> None:
    stored = StoredState("h", "done", "https://site.example.com/a", chars=1000)
    why = refusal(stored, _article("y" * 1200, provenance="/tmp/evil-feed.xml"))
    assert why is not None
    assert "https://site.example.com/a" in why and "/tmp/evil-feed.xml" in why
    assert "--replace" in why
    assert refusal(stored, _article("y" * 1200, "/tmp/evil-feed.xml"), replace=True) is None


def test_a_teaser_never_replaces_a_longer_text() -> None:
    stored = StoredState("h", "done", FEED, chars=959)
    assert refusal(stored, _article("t" * 900, completeness=TEASER)) is not None
    # ... but may replace a teaser, or a shorter text
    assert refusal(StoredState("h", "done", FEED, 40, TEASER), _article("t" * 30, completeness=TEASER)) is None
    assert refusal(StoredState("h", "done", FEED, 100), _article("t" * 120, completeness=TEASER)) is None


def test_a_fetched_collapse_to_under_half_is_refused() -> None:
    stored = StoredState("h", "done", FEED, chars=959)
    why = refusal(stored, _article("x" * 40))
    assert why is not None and "40" in why and "959" in why


def test_a_local_file_may_be_cut_by_its_owner() -> None:
    stored = StoredState("h", "done", "/news/story.txt", chars=5000)
    assert refusal(stored, _article("x" * 300, provenance="/news/story.txt")) is None
    upload = StoredState("h", "done", "upload:story.txt", chars=5000)
    assert refusal(upload, _article("x" * 300, provenance="upload:story.txt")) is None


def test_unfinished_writes_are_always_finished() -> None:
    stored = StoredState("h", "pending", "elsewhere", chars=5000)
    assert refusal(stored, _article("x")) is None


def test_records_without_provenance_accept_any_input() -> None:
    stored = StoredState("h", "done", "", chars=100)
    assert refusal(stored, _article("x" * 100, provenance="anything")) is None
