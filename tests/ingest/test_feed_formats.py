"""Feeds as they come: undeclared encodings, dates in other languages, JSON Feed, and
warnings that name the entry and the feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_helpers import WebServer, load, long_paragraphs, page
from test_loaders_feed import item, rss

from ingest.article import TEASER, Article
from ingest.loaders.base import LoadError
from ingest.loaders.feed import load_feed
from ingest.loaders.records import load_json
from ingest.pipeline import IngestReport, InputResult
from ingest.sources import SourceOptions

NEWS = {
    "koi8-r": ("Новости дня", "Правительство утвердило новый бюджет на следующий год"),
    "shift_jis": ("今日のニュース", "政府は来年度の新しい予算を承認したと発表した"),
    "cp1255": ("חדשות היום", "הממשלה אישרה את התקציב החדש לשנה הבאה"),
}


@pytest.mark.parametrize("encoding", list(NEWS))
def test_undeclared_encodings_are_detected_not_mojibake(encoding: str) -> None:
    feed_title, headline = NEWS[encoding]
    text = (
        f"<rss version='2.0'><channel><title>{feed_title}</title>"
        f"<item><title>{headline}</title><description>{headline}. {headline}.</description>"
        "<link>https://news.example/1</link></item></channel></rss>"
    )
    (article,) = list(load_feed(text.encode(encoding), "feed.xml", None))
    assert isinstance(article, Article)
    assert article.title == headline and article.source == feed_title
    assert "declares no encoding" in article.extra["warning"]


def test_declared_encodings_are_left_to_the_parser() -> None:
    text = (
        '<?xml version="1.0" encoding="koi8-r"?><rss version="2.0"><channel><title>Новости'
        "</title><item><title>Бюджет</title><description>Текст.</description></item>"
        "</channel></rss>"
    )
    (article,) = list(load_feed(text.encode("koi8-r"), "feed.xml", None))
    assert isinstance(article, Article) and article.title == "Бюджет"
    assert "warning" not in article.extra


def test_dates_in_portuguese_are_read() -> None:
    feed = rss(
        [item("Orçamento aprovado", summary="Texto.", date="Seg, 24 Set 2018 10:00:00 -0300")]
    )
    (article,) = list(load_feed(feed.encode(), "feed.xml", None))
    assert isinstance(article, Article)
    assert (article.published_at or "").startswith("2018-09-24")


def json_feed(items: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "NPR", "items": items}
    ).encode()


def test_json_feed_items_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(
        json_feed(
            [
                {
                    "id": "n1",
                    "url": "https://npr.example/1",
                    "title": "Quay reopens",
                    "content_html": "<p>" + "</p><p>".join(long_paragraphs(3, "the quay")) + "</p>",
                    "date_published": "2024-06-14T09:00:00-04:00",
                    "date_modified": "2024-06-15T09:00:00-04:00",
                    "authors": [{"name": "Ana Ruiz"}],
                }
            ]
        )
    )
    (article,) = load([path]).articles
    assert (article.title, article.source, article.author) == ("Quay reopens", "NPR", "Ana Ruiz")
    assert article.published_at == "2024-06-14T09:00:00-04:00"
    assert article.updated_at == "2024-06-15T09:00:00-04:00"
    assert article.url == "https://npr.example/1"


def test_json_feed_teasers_get_their_page_or_are_flagged(
    web: WebServer, options: SourceOptions
) -> None:
    good = web.add("/news/bridge", page(canonical=None))
    gone = web.url("/news/gone")
    feed = web.add(
        "/feed.json",
        json_feed(
            [
                {"id": "1", "url": good, "title": "Bridge reopens", "summary": "Teaser."},
                {"id": "2", "url": gone, "title": "Gone story", "content_text": "Kept summary."},
            ]
        ).decode(),
        content_type="application/feed+json",
    )
    loaded = load([feed], options)
    bridge, stub = loaded.articles
    assert bridge.body.startswith("The Harbour Bridge reopened") and bridge.completeness == "full"
    assert stub.body == "Kept summary." and stub.completeness == TEASER
    assert "summary only" in stub.extra["warning"]


def test_json_feed_without_items_fails(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(json_feed([]))
    assert "no items" in load([path]).failure("feed.json").reason
    with pytest.raises(LoadError, match="no items"):
        list(load_json(json_feed([]), "feed.json"))


def test_warnings_name_the_entry_and_the_feed() -> None:
    report = IngestReport()
    report.warnings.append(("u1", "summary only: fetching the full text failed: HTTP 404"))
    report.inputs.append(InputResult("feed.xml#entry2", "added", "u1", "Gone story"))
    (line,) = report.details()
    assert line == (
        "warning: u1: summary only: fetching the full text failed: HTTP 404 "
        "('Gone story', feed.xml#entry2)"
    )
    assert "warnings 1" in report.summary()
    assert report.to_dict()["inputs"] == [
        {
            "input": "feed.xml#entry2",
            "status": "added",
            "id": "u1",
            "title": "Gone story",
            "completeness": None,
            "reason": None,
        }
    ]


def test_an_entry_whose_page_is_a_paywall_stub_is_flagged() -> None:
    stub = Article(
        id="p",
        title="Quay",
        body="The council voted on Monday to close the quay for the winter season. " * 3
        + "To continue reading, please subscribe.",
        completeness="paywalled",
    )
    feed = rss([item("Quay closes", link="https://news.example/q", summary="Teaser.")])
    (article,) = list(load_feed(feed.encode(), "feed.xml", lambda url: stub))
    assert isinstance(article, Article)
    assert article.completeness == "paywalled" and article.body == stub.body
