"""HTML pages through trafilatura: main text without boilerplate, and the metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import FOOTER, NAV, PARAGRAPHS, WebServer, load, page

from ingest.article import article_id
from ingest.loaders.base import LoadError
from ingest.loaders.html import html_to_article
from ingest.sources import SourceOptions


def test_article_page_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "bridge.html"
    path.write_text(page(), encoding="utf-8")
    (article,) = load([path]).articles
    assert article.title == "Harbour Bridge reopens after repairs"
    assert article.body == "\n".join(PARAGRAPHS)  # the h1 headline is not repeated
    for boilerplate in (NAV, "Home", FOOTER, "Most read", "Celebrity", "By Jane Doe"):
        assert boilerplate not in article.body
    assert article.source == "The Coastal Times"
    assert article.author == "Jane Doe"
    assert (article.published_at or "")[:10] == "2024-03-05"
    assert article.url == "https://coastal.example.com/news/bridge-reopens"
    assert article.id == article_id(None, article.url, "", "")
    assert article.origin == str(path)


def test_htm_extension_and_no_canonical_link(tmp_path: Path) -> None:
    path = tmp_path / "bridge.htm"
    path.write_text(page(canonical=None), encoding="utf-8")
    (article,) = load([path]).articles
    assert article.url is None
    # identified by the file, so re-loading the same file keeps the id
    assert article.id == article_id(None, path.resolve().as_uri(), "", "")


def test_no_date_is_invented(tmp_path: Path) -> None:
    """The footer's "Copyright 2024" is not a publication date (it was read as 2024-01-01)."""
    path = tmp_path / "undated.html"
    path.write_text(page(date=None), encoding="utf-8")
    (article,) = load([path]).articles
    assert article.published_at is None


def test_date_from_a_time_element() -> None:
    html = page(date=None).replace(
        '<p class="byline">By Jane Doe</p>',
        '<p class="byline">By Jane Doe, <time datetime="2024-02-10T10:00:00Z">10 Feb</time></p>',
    )
    assert html_to_article(html, "mem").published_at == "2024-02-10"


def test_windows_1252_page(tmp_path: Path) -> None:
    paragraphs = [p.replace("Mayor Ana Lopez", "Mayor Zoë Café") for p in PARAGRAPHS]
    path = tmp_path / "cp.html"
    path.write_bytes(page(charset="windows-1252", paragraphs=paragraphs).encode("cp1252"))
    (article,) = load([path]).articles
    assert "Mayor Zoë Café told reporters" in article.body


def test_article_page_over_http(web: WebServer, options: SourceOptions) -> None:
    url = web.add("/news/bridge", page(canonical=None))
    (article,) = load([url], options).articles
    assert article.title == "Harbour Bridge reopens after repairs"
    assert article.body == "\n".join(PARAGRAPHS)
    assert article.url == url and article.origin == url
    assert article.id == article_id(None, url, "", "")
    assert article.source == "The Coastal Times"


def test_html_detected_without_a_content_type(web: WebServer, options: SourceOptions) -> None:
    url = web.add("/untyped", page(), content_type=None)
    (article,) = load([url], options).articles
    assert article.title == "Harbour Bridge reopens after repairs"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<html><body><div", "no article text found in the HTML"),
        ("<html><head></head><body></body></html>", "no article text found in the HTML"),
        (
            "<html><head><title>Only a title</title></head><body><div></div></body></html>",
            "no article text found in the HTML",
        ),
        ("<<<>>>", "no article text found in the HTML"),
        ("", "empty"),
    ],
)
def test_malformed_or_empty_html_fails(tmp_path: Path, html: str, reason: str) -> None:
    good = tmp_path / "good.html"
    good.write_text(page(), encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_text(html, encoding="utf-8")
    loaded = load([bad, good])
    assert reason in loaded.failure("bad.html").reason
    assert [a.title for a in loaded.articles] == ["Harbour Bridge reopens after repairs"]


def test_binary_saved_as_html_fails(tmp_path: Path) -> None:
    bad = tmp_path / "image.html"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    assert "binary" in load([bad]).failure("image.html").reason


def test_html_to_article_raises_load_error() -> None:
    with pytest.raises(LoadError, match="no article text"):
        html_to_article("<html><body><nav>Menu</nav></body></html>", "mem")
