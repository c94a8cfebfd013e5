"""RSS and Atom feeds: entries become articles; teasers get their full text fetched."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from ingest_helpers import PARAGRAPHS, WebServer, load, long_paragraphs, page

from ingest.article import Article, article_id
from ingest.fetch import FetchPolicy
from ingest.loaders.feed import FULL_TEXT_MIN_CHARS, html_fragment_to_text, load_feed
from ingest.sources import SourceOptions

FULL = long_paragraphs(4, "the ferry strike")
assert len("\n".join(FULL)) >= FULL_TEXT_MIN_CHARS


def rss(items: list[str], title: str = "Coastal Times") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{title}</title><link>https://coastal.example/</link>
<description>News</description>
{"".join(items)}
</channel></rss>"""


def item(
    title: str,
    link: str | None = None,
    summary: str | None = None,
    content: str | None = None,
    date: str | None = "Fri, 14 Jun 2024 09:30:00 GMT",
    author: str | None = None,
) -> str:
    parts = [f"<title>{escape(title)}</title>"]
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    if summary is not None:
        parts.append(f"<description>{escape(summary)}</description>")
    if content is not None:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if author:
        parts.append(f"<dc:creator>{escape(author)}</dc:creator>")
    return "<item>" + "".join(parts) + "</item>\n"


def test_rss_entries_full_text_fetch_and_fallback(
    tmp_path: Path, web: WebServer, options: SourceOptions
) -> None:
    article_url = web.add("/news/bridge", page(canonical=None))
    missing_url = web.url("/news/gone")
    full_url = web.url("/news/ferry")
    feed = rss(
        [
            item(
                "Ferry strike ends",
                full_url,
                summary="Short teaser.",
                content="".join(f"<p>{p}</p>" for p in FULL),
                author="Sam Reporter",
            ),
            item("Bridge reopens", article_url, summary="<p>The bridge &amp; the city.</p>"),
            item("Page is gone", missing_url, summary="A summary that is all we have."),
            item("", None, summary=None, date=None),
        ]
    )
    path = tmp_path / "feed.rss"
    path.write_text(feed, encoding="utf-8")
    loaded = load([path], options)
    by_title = {a.title: a for a in loaded.articles}
    assert sorted(by_title) == ["Bridge reopens", "Ferry strike ends", "Page is gone"]

    ferry = by_title["Ferry strike ends"]  # full content in the feed: nothing fetched
    assert ferry.body == "\n".join(FULL)
    assert web.hits["/news/ferry"] == 0
    assert ferry.author == "Sam Reporter"
    assert ferry.id == article_id(None, full_url, "", "")

    bridge = by_title["Bridge reopens"]  # teaser: the full text comes from the page
    assert web.hits["/news/bridge"] == 1
    assert bridge.body == "\n".join(PARAGRAPHS)
    assert bridge.url == article_url and bridge.id == article_id(None, article_url, "", "")
    assert bridge.source == "Coastal Times"  # the feed's title is the outlet
    assert bridge.published_at == "2024-06-14T09:30:00+00:00"  # the feed's date wins
    assert bridge.author == "Jane Doe"  # the feed had none; the page's is used
    assert "warning" not in bridge.extra

    gone = by_title["Page is gone"]  # fetching failed: the summary is kept, with a warning
    assert web.hits["/news/gone"] == 1
    assert gone.body == "A summary that is all we have."
    assert "summary only" in gone.extra["warning"] and "404" in gone.extra["warning"]

    (failure,) = loaded.failures
    assert failure.origin == f"{path}#entry4"
    assert failure.reason == "entry has neither text nor a link"


def test_atom_feed_over_http_with_relative_links(web: WebServer, options: SourceOptions) -> None:
    web.add("/articles/bridge", page(canonical=None))
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Gazette</title>
  <id>urn:uuid:feed</id><updated>2024-06-15T10:00:00Z</updated>
  <entry>
    <title>Bridge reopens</title>
    <link href="/articles/bridge"/>
    <id>urn:uuid:1</id>
    <published>2024-06-14T08:00:00+02:00</published>
    <updated>2024-06-15T10:00:00Z</updated>
    <summary>Teaser only.</summary>
    <author><name>Ann Atom</name></author>
  </entry>
  <entry>
    <title>Full story in the feed</title>
    <id>urn:uuid:2</id>
    <updated>2024-06-13T12:00:00Z</updated>
    <content type="html">{escape("".join(f"<p>{p}</p>" for p in FULL))}</content>
  </entry>
</feed>"""
    url = web.add("/feed.atom", atom, content_type="application/atom+xml")
    loaded = load([url], options)
    assert loaded.failures == []
    first, second = loaded.articles
    assert first.url == web.url("/articles/bridge")  # resolved against the feed's URL
    assert first.body == "\n".join(PARAGRAPHS)
    assert first.source == "Harbour Gazette"
    assert first.published_at == "2024-06-14T06:00:00+00:00"  # converted to UTC
    assert first.author == "Ann Atom"
    assert first.origin == f"{url}#entry1"
    assert second.url is None and second.body == "\n".join(FULL)
    assert second.id == "urn_uuid_2"  # no link: the entry's id is its identity
    assert second.published_at == "2024-06-13T12:00:00+00:00"


def test_feed_served_as_generic_xml(web: WebServer, options: SourceOptions) -> None:
    body = rss([item("Only entry", None, content="".join(f"<p>{p}</p>" for p in FULL))])
    url = web.add("/rss", body, content_type="text/xml; charset=utf-8")
    (article,) = load([url], options).articles
    assert article.title == "Only entry" and article.source == "Coastal Times"


def test_teaser_without_fetching_keeps_the_summary() -> None:
    data = rss([item("T", "https://x.example/a", summary="<b>Teaser</b> text.")]).encode()
    (article,) = list(load_feed(data, "feed", fetch_page=None))
    assert isinstance(article, Article)
    assert article.body == "Teaser text." and article.extra == {}


def test_unreachable_entry_pages_keep_their_summary(tmp_path: Path, refused_url: str) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(rss([item("Down", refused_url, summary="Summary kept.")]), encoding="utf-8")
    opts = SourceOptions(fetch=FetchPolicy(timeout=2, allow_private=True))
    (article,) = load([path], opts).articles
    assert article.body == "Summary kept."
    assert "could not connect" in article.extra["warning"]


def test_private_entry_links_are_not_fetched_by_default(tmp_path: Path, web: WebServer) -> None:
    url = web.add("/news/bridge", page())
    path = tmp_path / "feed.xml"
    path.write_text(rss([item("Bridge", url, summary="Teaser.")]), encoding="utf-8")
    (article,) = load([path], SourceOptions()).articles  # allow_private=False
    assert article.body == "Teaser."
    assert "refusing to fetch" in article.extra["warning"]
    assert web.hits["/news/bridge"] == 0


def test_entry_limit(tmp_path: Path) -> None:
    items = [item(f"Entry {i}", None, content=f"<p>Body {i}.</p>") for i in range(5)]
    path = tmp_path / "big.rss"
    path.write_text(rss(items), encoding="utf-8")
    loaded = load([path], SourceOptions(max_feed_entries=3))
    assert [a.title for a in loaded.articles] == ["Entry 0", "Entry 1", "Entry 2"]
    assert "only the first 3 were read" in loaded.failure("big.rss").reason


def test_malformed_and_empty_feeds_fail(tmp_path: Path) -> None:
    files = {
        "broken.rss": "<rss><channel><title>x</title><item><title>unclosed",
        "notafeed.xml": '<?xml version="1.0"?><sitemap><loc>https://x.org</loc></sitemap>',
        "empty.atom": "",
        "noentries.rss": rss([]),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    good = tmp_path / "good.rss"
    good.write_text(rss([item("Good", None, content="<p>Good body.</p>")]), encoding="utf-8")
    loaded = load([tmp_path])
    assert [a.title for a in loaded.articles] == ["Good"]
    reasons = {Path(f.origin).name: f.reason for f in loaded.failures}
    # feedparser is lenient: the cut-off entry is read, and fails for having no text
    assert reasons.pop("broken.rss#entry1") == "entry has neither text nor a link"
    assert set(reasons) == {"notafeed.xml", "empty.atom", "noentries.rss"}
    assert "the feed is empty" in reasons["empty.atom"]
    for name in ("notafeed.xml", "noentries.rss"):
        assert reasons[name].startswith("not a valid RSS/Atom feed or no entries")


def test_html_fragment_to_text() -> None:
    assert html_fragment_to_text("<p>One &amp; two.</p><p>Three<br>four</p>") == (
        "One & two.\nThree\nfour"
    )
    assert html_fragment_to_text("Intro<p>para</p>tail") == "Intro\npara\ntail"
    assert html_fragment_to_text("<script>alert(1)</script><style>p{}</style>Hi") == "Hi"
    assert html_fragment_to_text("plain &lt;text&gt;") == "plain <text>"
    assert html_fragment_to_text("   ") == ""
