"""Plain-text and Markdown files: titles, front matter, Markdown stripping, encodings."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
from ingest_helpers import SEED_FILE, WebServer, load

from ingest.article import article_id
from ingest.loaders.base import LoadError, decode_text, split_front_matter
from ingest.loaders.text import markdown_to_text
from ingest.sources import SourceOptions

BODY = (
    "The Harbour Bridge reopened to traffic on Tuesday after eight months of repairs.\n\n"
    "Engineers replaced 120 steel cables, the transport department said."
)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_first_line_is_the_title(tmp_path: Path) -> None:
    path = _write(tmp_path / "bridge.txt", "Harbour Bridge reopens\n\n" + BODY + "\n")
    (article,) = load([path]).articles
    assert article.title == "Harbour Bridge reopens"
    assert article.body == BODY
    assert article.origin == str(path)
    assert article.source is None and article.url is None and article.published_at is None


def test_repeated_headline_is_dropped(tmp_path: Path) -> None:
    text = "Harbour Bridge reopens\n\nHarbour Bridge reopens\n\n" + BODY
    (article,) = load([_write(tmp_path / "a.txt", text)]).articles
    assert article.title == "Harbour Bridge reopens"
    assert article.body == BODY


def test_the_seed_article(tmp_path: Path) -> None:
    (article,) = load([SEED_FILE]).articles
    first_line = SEED_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert article.title == first_line.strip()
    assert article.title.startswith("Kyiv slams Putin's offer")
    assert not article.body.startswith("Kyiv slams")  # the repeated headline is gone
    assert article.body.startswith("Russian President Vladimir Putin said")
    assert "“immediately”" in article.body
    assert article.id.startswith("u")  # identified by its file path: no id or URL inside


def test_front_matter_sets_metadata(tmp_path: Path) -> None:
    text = (
        "---\n"
        "source: Coastal Times\n"
        "published_at: 2024-06-14\n"
        "url: https://coastal.example/bridge?utm_source=rss\n"
        "author: 'Jane Doe'\n"
        "---\n"
        "Harbour Bridge reopens\n\n" + BODY
    )
    (article,) = load([_write(tmp_path / "fm.txt", text)]).articles
    assert article.title == "Harbour Bridge reopens"
    assert article.body == BODY
    assert article.source == "Coastal Times"
    assert article.published_at == "2024-06-14"
    assert article.url == "https://coastal.example/bridge?utm_source=rss"
    assert article.author == "Jane Doe"
    # identity from the URL (tracking parameter ignored), not from the file path
    assert article.id == article_id(None, "https://coastal.example/bridge", "", "")


def test_front_matter_title_id_and_date_alias(tmp_path: Path) -> None:
    text = (
        "---\r\ntitle: The real title\r\nid: story 7\r\ndate: Fri, 14 Jun 2024 09:00:00 GMT\r\n"
        "---\r\nFirst body line.\r\nSecond body line.\r\n"
    )
    (article,) = load([_write(tmp_path / "crlf.txt", text)]).articles
    assert article.title == "The real title"
    assert article.body == "First body line.\nSecond body line."
    assert article.id == "story_7"
    assert article.published_at == "2024-06-14T09:00:00+00:00"


def test_split_front_matter_needs_the_fences_at_the_top() -> None:
    assert split_front_matter("---\nsource: BBC\n---\nHello") == ({"source": "BBC"}, "Hello")
    text = "Title\n---\nsource: BBC\n---\nBody"
    assert split_front_matter(text) == ({}, text)


def test_identity_follows_the_file_path(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.txt", "Title\n" + BODY)
    two = _write(tmp_path / "two.txt", "Title\n" + BODY)
    a, b = load([one, two]).articles
    assert a.id != b.id
    assert a.content_hash == b.content_hash  # the pipeline reports the second as duplicate
    # the same path gives the same id on every load
    assert load([one]).articles[0].id == a.id


def test_long_first_line_is_a_paragraph_not_a_headline(tmp_path: Path) -> None:
    paragraph = (
        "Officials said on Tuesday that " + "the bridge works went well and " * 15 + "ended."
    )
    (article,) = load([_write(tmp_path / "p.txt", paragraph + "\nSecond paragraph.")]).articles
    assert article.body.startswith(paragraph)
    assert len(article.title) <= 121 and article.title.endswith("…")
    assert paragraph.startswith(article.title[:-1])


# -- Markdown ----------------------------------------------------------------------------

MARKDOWN = """---
source: Coastal Times
---
# Harbour *Bridge* reopens

Mayor **Ana Lopez** opened the [bridge](https://example.org/bridge) on _Tuesday_.

![A photo of the bridge](photo.jpg)

> "We are delighted," she said.

- 120 cables were replaced
* the deck was resurfaced

```
code_block = "dropped fences"
```

Variable names like snake_case_name keep their underscores &amp; entities decode.

---

Traffic was light.
"""


def test_markdown_is_reduced_to_plain_text(tmp_path: Path) -> None:
    (article,) = load([_write(tmp_path / "story.md", MARKDOWN)]).articles
    assert article.title == "Harbour Bridge reopens"
    assert article.source == "Coastal Times"
    body = article.body
    assert "Mayor Ana Lopez opened the bridge on Tuesday." in body
    assert "A photo of the bridge" in body
    assert '"We are delighted," she said.' in body
    assert "120 cables were replaced\nthe deck was resurfaced" in body
    assert 'code_block = "dropped fences"' in body
    assert "snake_case_name keep their underscores & entities decode." in body
    assert body.endswith("Traffic was light.")
    for markup in ("**", "](", "![", "```", "\n>", "\n- ", "\n* ", "# ", "&amp;", "\n---"):
        assert markup not in body, markup


def test_markdown_helper() -> None:
    assert markdown_to_text("## Hi\nSee [the **report**](http://x).") == "Hi\nSee the report."
    assert markdown_to_text("Setext title\n============\nText") == "Setext title\n\nText"
    assert markdown_to_text("a * b * c and 2*3") == "a * b * c and 2*3"


def test_markdown_extension_variants(tmp_path: Path) -> None:
    loaded = load([_write(tmp_path / "x.markdown", "# T\n\nBody *here*."), tmp_path])
    assert [a.body for a in loaded.articles] == ["Body here.", "Body here."]


# -- encodings and bad bytes ----------------------------------------------------------


def test_latin1_file_decodes_correctly(tmp_path: Path) -> None:
    text = "Café society returns\nThe café on the Champs-Élysées reopened. Naïve visitors queued."
    (article,) = load([_write(tmp_path / "latin1.txt", text.encode("latin-1"))]).articles
    assert article.title == "Café society returns"
    assert article.body == "The café on the Champs-Élysées reopened. Naïve visitors queued."


@pytest.mark.parametrize(
    "text",
    [
        "Café\nLe café ouvre.",  # short: many code pages fit it equally well
        "Le président\nLe président a déclaré vendredi que la réunion était reportée à l’été.",
        "Über Größe\nÜber die Straße gehen Mädchen. Größe zählt – sagt er „heute“.",
    ],
)
def test_cp1252_text_decodes_correctly(tmp_path: Path, text: str) -> None:
    (article,) = load([_write(tmp_path / "cp.txt", text.encode("cp1252"))]).articles
    title, body = text.split("\n")
    assert (article.title, article.body) == (title, body)


def test_other_encodings_are_detected() -> None:
    cyrillic = "Привет мир. Это новости из Москвы, сказал он в пятницу."
    assert decode_text(cyrillic.encode("cp1251"), "x") == cyrillic
    assert decode_text(("Zoë\nBody é").encode("utf-16"), "x") == "Zoë\nBody é"
    assert decode_text("\ufeffBOM title\nbody".encode(), "x") == "BOM title\nbody"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(300), "binary"),
        (zlib.compress(b"x" * 1000) + b"\x00", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),  # control characters, no NUL
        (bytes(range(128, 256)) * 8, "not UTF-8"),  # no encoding explains these bytes
    ],
)
def test_bad_bytes_fail_cleanly(tmp_path: Path, data: bytes, reason: str) -> None:
    path = _write(tmp_path / "bad.txt", data)
    loaded = load([path])
    assert loaded.articles == []
    assert reason in loaded.failure("bad.txt").reason
    with pytest.raises(LoadError, match=reason):
        decode_text(data, "x")


def test_headline_without_body_fails(tmp_path: Path) -> None:
    loaded = load([_write(tmp_path / "h.txt", "Only a headline\n\n")])
    assert loaded.failure("h.txt").reason == "no article text after the headline"
    loaded = load([_write(tmp_path / "h.md", "# Only a heading\n")])
    assert loaded.failure("h.md").reason == "no article text after the headline"


def test_text_loaded_from_url_uses_the_url_as_identity(
    web: WebServer, options: SourceOptions
) -> None:
    url = web.add("/plain", "Plain headline\n\n" + BODY, content_type="text/plain; charset=utf-8")
    (article,) = load([url], options).articles
    assert article.title == "Plain headline" and article.body == BODY
    assert article.id == article_id(None, url, "", "")
    markdown = web.add("/md", "# MD headline\n\nSome **bold** text.", content_type="text/markdown")
    (article,) = load([markdown], options).articles
    assert (article.title, article.body) == ("MD headline", "Some bold text.")
