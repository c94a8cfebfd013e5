"""JSON and JSON Lines records, including the MultiHop-RAG corpus format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_helpers import DEV_ARTICLES, WebServer, load

from ingest.article import article_id
from ingest.sources import SourceOptions

RECORD = {
    "id": "story-1",
    "title": "Harbour Bridge reopens",
    "source": "Coastal Times",
    "published_at": "2024-03-05T08:30:00+00:00",
    "url": "https://coastal.example/bridge",
    "author": "Jane Doe",
    "body": "The bridge reopened on Tuesday.\n\nTraffic was light.",
}


def _dev_lines(n: int) -> list[str]:
    with DEV_ARTICLES.open(encoding="utf-8") as lines:
        return [next(lines).rstrip("\n") for _ in range(n)]


def test_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")
    (article,) = load([path]).articles
    assert article.id == "story-1"
    assert article.title == "Harbour Bridge reopens"
    assert article.body == RECORD["body"]
    assert article.source == "Coastal Times"
    assert article.published_at == "2024-03-05T08:30:00+00:00"
    assert article.url == "https://coastal.example/bridge"
    assert article.author == "Jane Doe"
    assert article.origin == str(path)


def test_list_of_records_with_aliases_and_a_bad_one(tmp_path: Path) -> None:
    records = [
        {"title": "Uses text", "text": "Body from the text key.", "date": "June 14, 2024"},
        {"title": "No body at all"},
        {"body": "", "content": "Body from content.", "url": "https://x.org/a?utm_source=x"},
        "not an object",
        {"id": None, "title": "  ", "body": "First line becomes title.\nMore text."},
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    loaded = load([path])
    by_origin = {a.origin: a for a in loaded.articles}
    assert sorted(by_origin) == [f"{path}[1]", f"{path}[3]", f"{path}[5]"]
    first = by_origin[f"{path}[1]"]
    assert (first.body, first.published_at) == ("Body from the text key.", "2024-06-14")
    third = by_origin[f"{path}[3]"]
    assert third.body == "Body from content."
    assert third.id == article_id(None, "https://x.org/a", "", "")
    assert by_origin[f"{path}[5]"].title == "First line becomes title."
    assert by_origin[f"{path}[5]"].id.startswith("h")  # no id, no URL: a text hash
    assert loaded.failure("[2]").reason == "record has no 'body' or 'text'"
    assert loaded.failure("[4]").reason == "expected a JSON object, got str"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[]", "the JSON list holds no records"),
        ('{"title": "x", ', "invalid JSON"),
        ("", "empty"),
        ("42", "expected a JSON object, got int"),
    ],
)
def test_bad_json_files(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    loaded = load([path])
    assert loaded.articles == []
    assert reason in loaded.failure("bad.json").reason


def test_multihop_jsonl_with_one_bad_line(tmp_path: Path) -> None:
    good = _dev_lines(4)
    lines = [good[0], good[1], '{"id": "broken", "title": "x", "body": ', "", good[2], good[3]]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load([path])
    (failure,) = loaded.failures
    assert failure.origin == f"{path}:3"
    assert failure.reason.startswith("invalid JSON")
    expected = [json.loads(line) for line in good]
    assert [a.id for a in loaded.articles] == [r["id"] for r in expected]
    assert [a.origin for a in loaded.articles] == [f"{path}:{n}" for n in (1, 2, 5, 6)]
    for article, record in zip(loaded.articles, expected, strict=True):
        assert article.title == record["title"]
        assert article.body == record["body"].strip()
        assert article.source == record["source"]
        assert article.url == record["url"]
        assert article.author == record["author"]
        assert article.published_at == record["published_at"]


def test_the_whole_dev_corpus_loads(tmp_path: Path) -> None:
    loaded = load([DEV_ARTICLES])
    assert loaded.failures == []
    assert len(loaded.articles) == 150
    assert len({a.id for a in loaded.articles}) == 150
    assert all(a.id.startswith("mhr-a") and a.source and a.published_at for a in loaded.articles)


def test_jsonl_line_problems_fail_alone(tmp_path: Path) -> None:
    big = json.dumps({"title": "Big", "body": "x " * 3000})
    lines = [
        json.dumps({"id": "ok-1", "body": "Fine body one."}),
        big,
        "[1, 2]",
        json.dumps({"id": "no-body", "title": "t"}),
        json.dumps({"id": "ok-2", "body": "Fine body two."}),
    ]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline
    loaded = load([path], SourceOptions(max_bytes=1000))
    assert [a.id for a in loaded.articles] == ["ok-1", "ok-2"]
    reasons = {f.origin: f.reason for f in loaded.failures}
    assert reasons == {
        f"{path}:2": "record is larger than the 1,000-byte limit",
        f"{path}:3": "expected a JSON object, got list",
        f"{path}:4": "record has no 'body' or 'text'",
    }


def test_jsonl_line_in_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "enc.jsonl"
    path.write_bytes(
        json.dumps({"id": "u", "body": "Café society returns."}, ensure_ascii=False).encode()
        + b"\n"
        + json.dumps({"id": "l", "body": "Le café ouvre ses portes."}, ensure_ascii=False).encode(
            "cp1252"
        )
        + b"\n"
    )
    loaded = load([path])
    assert loaded.failures == []
    assert [a.body for a in loaded.articles] == [
        "Café society returns.",
        "Le café ouvre ses portes.",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n\x00\x01\n\x02", "binary"),
    ],
)
def test_empty_or_binary_jsonl_fails_once(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    loaded = load([path])
    assert loaded.articles == []
    (failure,) = loaded.failures
    assert failure.origin == str(path) and reason in failure.reason


def test_json_over_http(web: WebServer, options: SourceOptions) -> None:
    url = web.add("/api/story", json.dumps([RECORD]), content_type="application/json")
    (article,) = load([url], options).articles
    assert article.id == "story-1" and article.origin == f"{url}[1]"
    lines = "\n".join(_dev_lines(2))
    url = web.add("/api/stream", lines, content_type="application/x-ndjson")
    assert [a.id for a in load([url], options).articles] == ["mhr-a000", "mhr-a001"]
