"""Library helpers: safe upload staging, URL checks, table rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from ui.library import (
    expected_articles,
    library_rows,
    outlets,
    parse_urls,
    remove_staged,
    safe_name,
    stage_uploads,
)
from vectorstore.store import ArticleRecord, Store


def record(i: str, title: str, source: str | None, day: str | None, status: str = "done"):
    return ArticleRecord(
        id=i,
        content_hash="h",
        title=title,
        source=source,
        url=None,
        published_at=f"{day}T10:00:00+00:00" if day else None,
        author=None,
        origin="o",
        n_chunks=2,
        ingested_at="2024-06-20T09:30:12+00:00",
        status=status,
    )


def test_safe_name_strips_directories_and_odd_characters() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("/abs/path/news.txt") == "news.txt"
    assert safe_name("..\\..\\win.md") == "win.md"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("a b<c>.json") == "a_b_c_.json"
    assert safe_name("..") == "upload"
    assert len(safe_name("x" * 500 + ".txt")) <= 120
    assert safe_name("x" * 500 + ".txt").endswith(".txt")


def test_stage_uploads_copies_supported_files_and_refuses_the_rest(tmp_path: Path) -> None:
    cache = tmp_path / "gradio" / "abc"
    cache.mkdir(parents=True)
    good = cache / "story.txt"
    good.write_text("Title\n\nBody.")
    pdf = cache / "report.pdf"
    pdf.write_bytes(b"%PDF")
    big = cache / "big.md"
    big.write_text("x" * 101)
    empty = cache / "empty.json"
    empty.write_text("")
    folder = tmp_path / "private"
    staged = stage_uploads([str(good), str(pdf), str(big), str(empty)], folder, max_bytes=100)
    (path,) = staged.paths
    assert Path(path).name == "story.txt" and Path(path).parent.parent == folder
    assert Path(path).read_text() == "Title\n\nBody."
    assert staged.names == {path: "story.txt"}
    reasons = dict(staged.rejected)
    assert reasons["report.pdf"].startswith("unsupported file type .pdf; supported: ")
    assert ".txt" in reasons["report.pdf"]
    assert reasons["big.md"] == "the file is 101 bytes, over the 100 bytes limit"
    assert reasons["empty.json"] == "the file is empty"
    assert folder.stat().st_mode & 0o077 == 0


def test_same_name_twice_gets_two_copies(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "n.txt").write_text("T\n\none")
    (b / "n.txt").write_text("T\n\ntwo")
    staged = stage_uploads([str(a / "n.txt"), str(b / "n.txt")], tmp_path / "s", 1000)
    assert len(set(staged.paths)) == 2


def test_parse_urls_accepts_only_http() -> None:
    urls, refused = parse_urls(
        "https://a.org/x\n http://b.org/feed.xml https://a.org/x\n/etc/passwd\nfile:///etc/hosts"
    )
    assert urls == ["https://a.org/x", "http://b.org/feed.xml"]
    assert [r for r, _ in refused] == ["/etc/passwd", "file:///etc/hosts"]
    assert parse_urls("") == ([], [])


def test_library_rows_newest_first_and_only_finished() -> None:
    rows = library_rows(
        [
            record("old", "Old", "A", "2023-01-01"),
            record("new", "New", "B", "2024-06-01"),
            record("undated", "", None, None),
            record("half", "Half", "C", "2024-07-01", status="pending"),
        ]
    )
    assert [r[-1] for r in rows] == ["new", "old", "undated"]
    assert rows[0] == ["New", "B", "2024-06-01", "full text", 2, "2024-06-20 09:30 UTC", "new"]
    assert rows[2][0] == "(untitled)"


def test_outlets_are_distinct_and_sorted() -> None:
    recs = [record("1", "t", "b", None), record("2", "t", "A", None), record("3", "t", "b", None)]
    assert outlets(recs) == ["A", "b"]


def test_expected_articles(tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"title": "a"}\n\n{"title": "b"}\n')
    page = tmp_path / "b.html"
    page.write_text("<p>x</p>")
    feed = tmp_path / "c.xml"
    feed.write_text("<rss/>")
    assert expected_articles([str(lines), str(page)], []) == 3
    assert expected_articles([str(lines), str(feed)], []) is None
    assert expected_articles([str(page)], ["https://a.org"]) is None


@pytest.mark.slow
def test_uploads_with_one_sanitised_name_are_separate_articles(tmp_path: Path, store: Store) -> None:
    """``报道1.txt`` and ``新闻1.txt`` both sanitise to ``1.txt``; two ``report.txt`` from
    different folders share a name outright: every one is its own article, and uploading
    the same content again changes nothing."""
    texts = {
        "a/报道1.txt": "Harbour report\nThe harbour reopened on Monday after repairs.",
        "a/新闻1.txt": "Bakery news\nThe bakery on Main Street won a national prize.",
        "b/report.txt": "Council report\nThe council approved the budget on Tuesday.",
        "c/report.txt": "School report\nThe school will open a new library in May.",
    }
    for name, text in texts.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    uploads = tmp_path / "home" / "uploads"
    for round_ in (1, 2):
        for name in texts:  # one at a time, as a user uploads them in the chat
            staged = stage_uploads([str(tmp_path / name)], uploads, 1_000_000)
            report = ingest(staged.paths, store, SourceOptions(uploads=staged.names))
            remove_staged(staged.paths)
            assert not report.failed and not report.updated
            assert len(report.added if round_ == 1 else report.unchanged) == 1
    titles = sorted(r.title for r in store.iter_records())
    assert titles == ["Bakery news", "Council report", "Harbour report", "School report"]
    assert {r.provenance for r in store.iter_records()} == {
        "upload:报道1.txt", "upload:新闻1.txt", "upload:report.txt"
    }
    assert not any(uploads.rglob("*.txt"))  # staged copies are gone
