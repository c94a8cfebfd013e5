"""Expanding inputs: folder walks, explicit files, URLs; bad inputs fail alone."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from ingest_helpers import SEED_FILE, WebServer, load, page

from ingest.sources import FILE_TYPES, SourceOptions, is_url


def test_seed_folder_walk_skips_the_readme(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEED_FILE.parent, seeds)
    assert (seeds / "README.md").is_file()
    loaded = load([seeds])
    assert [Path(a.origin).name for a in loaded.articles] == [SEED_FILE.name]
    assert loaded.failures == [] and loaded.skipped == []


def _mixed_folder(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        "a_good.txt": "Good text headline\nThe good text body.",
        "b_good.md": "# Good markdown\n\nThe **markdown** body.",
        "c_good.json": json.dumps({"id": "json-1", "title": "Good JSON", "body": "JSON body."}),
        "d_empty.txt": "",
        "e_image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(200),
        "f_garbage.txt": bytes(range(128, 256)) * 4,
        "g_broken.html": "<html><body><div",
        "h_broken.rss": "<rss><channel><title>x</title>",
        "i_report.docx": b"PK\x03\x04 not really a docx",
        "j_noextension": "Some text",
        ".hidden.txt": "Hidden headline\nHidden body.",
        "LICENSE": "MIT",
        "README.md": "# Read me\n\nNot news.",
        "sub/k_nested.html": page(),
        ".git/config.txt": "Not an article\nIgnored.",
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def test_mixed_folder_loads_the_good_and_explains_the_bad(tmp_path: Path) -> None:
    root = _mixed_folder(tmp_path / "inbox")
    loaded = load([root])
    assert sorted(a.title for a in loaded.articles) == [
        "Good JSON",
        "Good markdown",
        "Good text headline",
        "Harbour Bridge reopens after repairs",
    ]
    reasons = {Path(f.origin).name: f.reason for f in loaded.failures}
    assert reasons.keys() == {
        "d_empty.txt",
        "e_image.txt",
        "f_garbage.txt",
        "g_broken.html",
        "h_broken.rss",
    }
    assert reasons["d_empty.txt"] == "the file is empty"
    assert reasons["e_image.txt"] == "this is a binary file, not text"
    assert reasons["f_garbage.txt"].startswith("not UTF-8 text (invalid byte 0x80 at offset 0)")
    assert reasons["g_broken.html"] == "no article text found in the HTML"
    assert reasons["h_broken.rss"].startswith("not a valid RSS/Atom feed or no entries")
    skipped = {Path(s.origin).name: s.reason for s in loaded.skipped}
    assert skipped == {
        "i_report.docx": "unsupported file type .docx",
        "j_noextension": "unsupported file type (none)",
    }
    # hidden files, hidden folders, README and LICENSE are not even mentioned
    everything = [a.origin for a in loaded.articles] + list(reasons) + list(skipped)
    assert not any(
        ".hidden" in o or ".git" in o or "README" in o or "LICENSE" in o for o in everything
    )


def test_explicit_unsupported_file_fails_with_the_supported_types(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    reason = load([path]).failure("report.docx").reason
    assert reason.startswith("unsupported file type .docx; supported: ")
    for extension in FILE_TYPES:
        assert extension in reason
    noext = tmp_path / "notes"
    noext.write_text("x", encoding="utf-8")
    assert load([noext]).failure("notes").reason.startswith("unsupported file type (none)")


def test_explicit_readme_is_loaded(tmp_path: Path) -> None:
    """Only folder walks skip README files: naming one explicitly loads it."""
    path = tmp_path / "README.md"
    path.write_text("# Notes\n\nSome notes.", encoding="utf-8")
    assert [a.title for a in load([path]).articles] == ["Notes"]


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    folder = tmp_path / "only_readme"
    folder.mkdir()
    (folder / "README.md").write_text("# x\n\ny", encoding="utf-8")
    missing = tmp_path / "nope.txt"
    loaded = load([missing, folder, "bad\x00name.txt"])
    assert loaded.articles == []
    assert loaded.failure("nope.txt").reason == "no such file or directory"
    assert loaded.failure("only_readme").reason == "the folder holds no article files"
    assert loaded.failure("bad\x00name").reason  # reported, not a crash


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Headline\n" + "word " * 400, encoding="utf-8")
    loaded = load([path], SourceOptions(max_bytes=1000))
    assert loaded.failure("big.txt").reason == "the file is 2,009 bytes, over the 1,000-byte limit"
    json_file = tmp_path / "big.json"  # a JSON array gets a generous limit of its own
    json_file.write_text(json.dumps({"title": "t", "body": "word " * 400}), encoding="utf-8")
    assert load([json_file], SourceOptions(max_bytes=1000)).failures == []


def test_batch_order_and_isolation(
    tmp_path: Path, web: WebServer, options: SourceOptions, refused_url: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Local headline\nLocal body.", encoding="utf-8")
    page_url = web.add("/page", page(canonical=None))
    inputs = [
        str(good),
        refused_url,
        page_url,
        web.url("/404"),
        "ftp://example.org/x",
        str(tmp_path / "missing.md"),
    ]
    from ingest.sources import iter_sources

    items = list(iter_sources(inputs, options))
    kinds = [(type(i).__name__, getattr(i, "title", getattr(i, "reason", ""))[:20]) for i in items]
    assert kinds == [
        ("Article", "Local headline"),
        ("Failure", "could not connect to"),
        ("Article", "Harbour Bridge reope"),
        ("Failure", "HTTP 404 Not Found f"),
        ("Failure", "only http and https "),
        ("Failure", "no such file or direc"[:20]),
    ]


def test_is_url() -> None:
    assert is_url("https://x.org/a") and is_url("ftp://x.org") and is_url("file:///tmp/a.txt")
    assert is_url("javascript:alert(1)") and is_url("data:text/plain,x")
    assert not is_url("seeds/") and not is_url("C:\\news\\a.txt") and not is_url("notes:2024.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Title\nBody.", encoding="utf-8")
    path.chmod(0)
    assert load([path]).failure("secret.txt").reason == "Permission denied"
