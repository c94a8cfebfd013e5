"""Hostile input: fuzzed and mutated files for every loader, pathological nesting and
sizes, a 10,000-entry feed, server-side request forgery through redirects.

Loaders may only ever yield articles or failures, or raise ``LoadError`` (a clear
message): any other exception, a hang or a malformed article is a bug. Tests
with a real store check that one bad input fails alone: the rest of the batch is
ingested and nothing already stored changes.

Cases already covered elsewhere are not repeated: schemes and private addresses
(tests/ingest/test_fetch.py), empty/binary/non-UTF-8/oversized files and folder
walks (test_sources_batch.py, test_loaders_*.py), upload names (tests/ui).
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.fetch as fetch_module
from ingest.article import Article
from ingest.chunking import chunk_article
from ingest.fetch import FetchPolicy
from ingest.loaders.base import Failure, LoadError
from ingest.loaders.feed import load_feed
from ingest.loaders.html import load_html
from ingest.loaders.records import load_json, load_jsonl
from ingest.loaders.text import load_markdown, load_text
from ingest.pipeline import ingest
from ingest.sources import SourceOptions, iter_sources
from tests.conftest import SEED_FILE
from tests.ingest.ingest_helpers import WebServer, page
from tests.reliability.rel_corpus import CHUNK_CHARS, articles, rel_settings, write_records
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
# Seconds any one input may take, however hostile (10 MB files take a few seconds).
TIME_LIMIT = 15.0

LOADERS: dict[str, Callable[[bytes], Iterable[Any]]] = {
    "text": lambda data: load_text(data, "fuzz.txt"),
    "markdown": lambda data: load_markdown(data, "fuzz.md"),
    "html": lambda data: load_html(data, "fuzz.html"),
    "json": lambda data: load_json(data, "fuzz.json"),
    "jsonl": lambda data: load_jsonl(io.BytesIO(data), "fuzz.jsonl", 100_000),
    "feed": lambda data: load_feed(data, "fuzz.xml", None, 50),
}


def _rss(n: int, body: Callable[[int], str] = lambda i: f"Entry {i} text.") -> bytes:
    items = "".join(
        f"<item><title>Entry {i}</title><guid>entry-{i}</guid>"
        f"<pubDate>Fri, 14 Jun 2024 09:30:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{body(i)}</p>]]></description></item>\n"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Fuzz Times</title><link>https://fuzz.example/</link>{items}</channel></rss>"
    ).encode()


def _real_samples() -> dict[str, bytes]:
    records = articles()[:4]
    markdown = (
        "---\nsource: Coastal Times\ndate: 2024-03-05\n---\n# Harbour bridge reopens\n\n"
        "The **bridge** reopened on _Tuesday_ after [eight months](https://x.example/a) of "
        "work, `officials` said.\n\n> Engineers replaced 120 cables.\n\n- one\n- two\n"
    )
    return {
        "text": SEED_FILE.read_bytes(),
        "markdown": markdown.encode(),
        "html": page().encode(),
        "json": json.dumps(records).encode(),
        "jsonl": "".join(json.dumps(r) + "\n" for r in records).encode(),
        "feed": _rss(
            3, lambda i: " ".join(f"Sentence {i}.{k} about the strike." for k in range(8))
        ),
    }


SAMPLES = _real_samples()
NASTY = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"\r",
    b"]]>",
    b"<![CDATA[",
    b"<div>" * 300,
    b"</p></div></body>",
    b"&lol;&#0;&#xD800;&amp",
    b'{"a":' * 50,
    b"[" * 3000,
    b"*a " * 200,
    b"---\n",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """A real file after a few random edits: flips, inserts, cuts, repeats, splices."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate", "splice"]))
        if op == "flip" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 300))]
        elif op == "repeat":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))] * draw(st.integers(2, 40))
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = draw(st.sampled_from(NASTY))
    return bytes(data)


def _assert_well_behaved(kind: str, data: bytes) -> None:
    """Only articles and failures come out, or a LoadError with a message; quickly."""
    started = time.perf_counter()
    try:
        items = list(LOADERS[kind](data))
    except LoadError as exc:
        assert str(exc).strip()
        items = []
    assert time.perf_counter() - started < TIME_LIMIT, f"{kind} took too long"
    for item in items:
        assert isinstance(item, Article | Failure), item
        if isinstance(item, Failure):
            assert item.reason.strip() and item.origin
            continue
        assert _ID.match(item.id), item.id
        assert isinstance(item.title, str) and item.body.strip()
        for chunk in chunk_article(item, CHUNK_CHARS):
            assert item.body[chunk.start : chunk.end] == chunk.text


# Bounded for CI; NEWSQA_FUZZ_EXAMPLES=2000 runs a deeper search locally.
FUZZ = settings(
    max_examples=int(os.environ.get("NEWSQA_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("kind", list(LOADERS))
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_break_a_loader(kind: str, data: bytes) -> None:
    _assert_well_behaved(kind, data)


@pytest.mark.parametrize("kind", list(LOADERS))
@FUZZ
@given(data=st.data())
def test_mutated_real_files_never_break_a_loader(kind: str, data: st.DataObject) -> None:
    _assert_well_behaved(kind, data.draw(mutated(SAMPLES[kind])))


@pytest.mark.parametrize("kind", ["text", "markdown"])
@FUZZ
@given(text=st.text(max_size=2000))
def test_random_unicode_text_never_breaks_the_text_loaders(kind: str, text: str) -> None:
    _assert_well_behaved(kind, text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    ("kind", "data", "outcome"),
    [
        ("json", b"[" * 100_000 + b"]" * 100_000, "invalid JSON: nested too deeply"),
        ("json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "invalid JSON: nested too deeply"),
        ("html", b"<html><body>" + b"<div>" * 200_000 + b"<p>x</p>" + b"</div>" * 200_000, ""),
        ("html", b"<html><body>" + b"<div><span>" * 100_000, ""),
        ("feed", _rss(1, lambda i: "<div>" * 50_000 + "deep" + "</div>" * 50_000), ""),
        ("markdown", b"Title\n" + b"*a " * 1_000_000, "article"),
        ("markdown", b"Title\n" + b"_a [b](" * 400_000, "article"),
        ("markdown", b"Title\n" + b"`x ![" * 400_000, "article"),
    ],
    ids=["json-list", "json-object", "html-nested", "html-unclosed", "feed-nested", "md-stars",
         "md-links", "md-images"],
)  # fmt: skip
def test_pathological_nesting_and_markup_end_quickly_and_clearly(
    kind: str, data: bytes, outcome: str
) -> None:
    started = time.perf_counter()
    try:
        items = list(LOADERS[kind](data))
        result = "article" if any(isinstance(i, Article) for i in items) else ""
    except LoadError as exc:
        result = str(exc)
    assert time.perf_counter() - started < TIME_LIMIT
    if outcome:
        assert result == outcome
    _assert_well_behaved(kind, data)


def test_deeply_nested_json_line_fails_alone_in_json_lines() -> None:
    lines = [json.dumps(articles()[0]), "[" * 50_000 + "]" * 50_000, json.dumps(articles()[1])]
    items = list(load_jsonl(io.BytesIO("\n".join(lines).encode()), "deep.jsonl", 1_000_000))
    assert [type(i).__name__ for i in items] == ["Article", "Failure", "Article"]
    assert items[1] == Failure("deep.jsonl:2", "invalid JSON: nested too deeply")


@pytest.mark.slow
def test_feed_with_10000_entries_is_read_up_to_the_limit(tmp_path: Path) -> None:
    feed = tmp_path / "huge.xml"
    feed.write_bytes(_rss(10_000))
    started = time.perf_counter()
    items = list(iter_sources([str(feed)], SourceOptions()))
    took = time.perf_counter() - started
    found = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert len(found) == 1000 and [a.title for a in found[:2]] == ["Entry 0", "Entry 1"]
    assert [f.reason for f in failures] == [
        "the feed has 10,000 entries; only the first 1,000 were read "
        "(raise NEWSQA_MAX_FEED_ENTRIES to read more)"
    ]
    assert took < 60, f"parsing the feed took {took:.0f} s"


# -- a hostile batch into a real store ------------------------------------------------


@pytest.fixture
def public_alias(monkeypatch: pytest.MonkeyPatch) -> str:
    """``public.example`` passes the SSRF guard as if DNS gave a public address, but
    the request is pinned to loopback (where the test server listens). Every other
    host, including every redirect target, goes through the real guard."""
    real = fetch_module._checked_address

    def checked(url: str, allow_private: bool) -> str | None:
        if url.startswith("http://public.example:"):
            return "127.0.0.1"
        return real(url, allow_private)

    monkeypatch.setattr(fetch_module, "_checked_address", checked)
    monkeypatch.setattr(fetch_module, "_proxied", lambda url: False)
    return "public.example"


@pytest.mark.slow
def test_hostile_batch_fails_item_by_item_and_changes_nothing_else(
    tmp_path: Path, embedder: Embedder, web: WebServer, public_alias: str
) -> None:
    store = Store(rel_settings(tmp_path / "home"), embedder)
    records = articles()
    baseline = write_records(tmp_path / "baseline.jsonl", records[:3])
    assert len(ingest([str(baseline)], store, SourceOptions(), CHUNK_CHARS).added) == 3
    before_records = {r.id: r for r in store.iter_records()}
    before_chunks = {c.id: (c.text, c.meta) for c in store.iter_chunks()}

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good_txt = inbox / "good.txt"
    good_txt.write_text("Ferry strike ends\nThe ferry strike ended on Monday after talks.")
    good_jsonl = write_records(inbox / "more.jsonl", records[3:5])
    with good_jsonl.open("a") as out:  # one deeply nested line among good ones
        out.write("[" * 20_000 + "]" * 20_000 + "\n" + json.dumps(records[5]) + "\n")
    (inbox / "huge.txt").write_text("Too big\n" + "word " * 600_000)
    (inbox / "empty.md").write_text("")
    (inbox / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (inbox / "garbage.txt").write_bytes(bytes(range(128, 256)) * 8)
    (inbox / "nested.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    (inbox / "stars.md").write_bytes(b"Stars\n" + b"*a " * 300_000)
    (inbox / "feed.xml").write_bytes(_rss(10_000))

    web.add("/secret", "Internal\nInternal data.", content_type="text/plain")
    secret = web.url("/secret")
    hops = {
        "/to-loopback": secret,
        "/to-localhost": f"http://localhost:{web.port}/secret",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-private": "http://10.0.0.5/admin",
        "/to-file": "file:///etc/passwd",
        "/to-ftp": "ftp://127.0.0.1/secret",
    }
    for path, target in hops.items():
        web.redirect(path, target)
    urls = [f"http://{public_alias}:{web.port}{path}" for path in hops]
    refused = [secret, "ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd"]

    options = SourceOptions(
        fetch=FetchPolicy(timeout=5.0, max_bytes=20_000, allow_private=False),
        max_bytes=2_500_000,  # the 10,000-entry feed is ~2 MB
        max_feed_entries=25,
    )
    started = time.perf_counter()
    report = ingest([str(inbox), *urls, *refused], store, options, CHUNK_CHARS)
    took = time.perf_counter() - started

    reasons = {
        Path(f.origin).name if "/" in f.origin and "://" not in f.origin else f.origin: f.reason
        for f in report.failed
    }
    added = {r.id: r for r in store.iter_records() if r.id not in before_records}
    # good.txt, stars.md, 3 JSON lines, 25 feed entries
    assert len(report.added) == len(added) == 1 + 1 + 3 + 25
    assert reasons["huge.txt"] == "the file is 3,000,008 bytes, over the 2,500,000-byte limit"
    assert reasons["empty.md"] == "the file is empty"
    assert reasons["binary.html"] == "this is a binary file, not text"
    assert reasons["garbage.txt"].startswith("not UTF-8 text")
    assert reasons["nested.json"] == "invalid JSON: nested too deeply"
    assert reasons["more.jsonl:3"] == "invalid JSON: nested too deeply"
    assert reasons["feed.xml"].startswith("the feed has 10,000 entries; only the first 25")
    assert "stars.md" not in reasons  # odd but harmless markup is simply text
    for url, path in zip(urls, hops, strict=True):
        assert reasons[url].startswith(("refusing to fetch", "only http and https")), (
            path,
            reasons[url],
        )
    for name, target in (("/to-loopback", secret), ("/to-file", "file:///etc/passwd")):
        assert target in reasons[urls[list(hops).index(name)]]
    assert reasons[secret].startswith(f"refusing to fetch {secret}")
    assert reasons["ftp://example.org/x"].startswith("only http and https")
    assert web.hits["/secret"] == 0, "a redirect reached the loopback service"
    assert all(web.hits[path] == 1 for path in hops)
    # nothing that was stored before changed, not even its ingest time
    assert {r.id: r for r in store.iter_records() if r.id in before_records} == before_records
    after_chunks = {c.id: (c.text, c.meta) for c in store.iter_chunks()}
    assert {k: after_chunks[k] for k in before_chunks} == before_chunks
    assert took < 120


@pytest.mark.slow
def test_uploads_named_with_dots_or_absolute_paths_land_only_in_the_upload_folder(
    tmp_path: Path, embedder: Embedder
) -> None:
    """Through the real app: Gradio's upload route, then "Add to library"."""
    import uuid

    import httpx

    from rag.answer import Answerer
    from rag.retrieve import Retriever
    from tests.reliability.rel_app import client, served_app

    settings = rel_settings(tmp_path / "home")
    answerer = Answerer(settings, retriever=Retriever(Store(settings, embedder)))
    tag = uuid.uuid4().hex[:8]
    escapes = {
        f"../../../../../tmp/newsqa-evil-{tag}.txt": Path(f"/tmp/newsqa-evil-{tag}.txt"),
        f"/tmp/newsqa-abs-{tag}.txt": Path(f"/tmp/newsqa-abs-{tag}.txt"),
        f"..\\..\\newsqa-win-{tag}.md": Path(f"/tmp/newsqa-win-{tag}.md"),
    }
    bodies = [
        b"Evil title\nThe body of the upload that tried to climb out.",
        b"Absolute title\nThe body of the upload named with an absolute path.",
        b"# Windows title\n\nThe body of the upload with backslashes.",
    ]
    with served_app(settings, answerer) as url:
        files = [
            ("files", (name, body, "text/plain"))
            for name, body in zip(escapes, bodies, strict=True)
        ]
        uploaded = httpx.post(url + "gradio_api/upload", files=files, timeout=60).json()
        assert len(uploaded) == 3
        data = [{"path": p, "meta": {"_type": "gradio.FileData"}} for p in uploaded]
        report = str(client(url).predict(data, "", api_name="/add_articles")[0])
    assert report.count('class="added"') == 3, report
    assert not any(target.exists() for target in escapes.values())
    for path in map(Path, uploaded):  # Gradio kept only a base name, in its cache
        assert ".." not in path.parts and path.name.endswith((".txt", ".md"))
    home = settings.home
    assert list((home / "uploads").iterdir()) == []  # staged copies removed after ingest
    assert {r.title for r in answerer.retriever.store.iter_records()} == {
        "Evil title",
        "Absolute title",
        "Windows title",
    }
