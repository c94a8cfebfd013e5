"""Title, dates, outlet and author of real-world page shapes (short excerpts written
for these tests, after pages that went wrong: CMS placeholders, outlet suffixes, dates
appended to titles, modification dates, social-media outlets)."""

from __future__ import annotations

import json

import pytest

from ingest.loaders.bylines import choose_author, clean_author
from ingest.loaders.dates import page_date
from ingest.loaders.html import html_to_article
from ingest.loaders.outlets import choose_outlet, clean_outlet
from ingest.loaders.titles import choose_title, strip_site

STORY = (
    "<p>The harbour authority reopened the northern quay on Monday after a week of "
    "repairs to the storm-damaged sea wall, officials said.</p>"
    "<p>Ferries to the islands will resume their normal timetable on Wednesday, and "
    "the fish market returns to the quay at the weekend, the authority added.</p>"
    "<p>Repairs cost about 2.4 million euros, paid from the regional emergency fund "
    "that was set up after the floods two winters ago.</p>"
)


def page(head: str = "", before: str = "", h1: str = "Harbour quay reopens after repairs") -> str:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f"<html><head>{head}</head><body><nav><a href='/'>Home</a> <a href='/w'>World</a>"
        f"</nav><article>{before}{heading}<p class='byline'>By Ana Ruiz</p>{STORY}"
        "</article><footer>Contact us</footer></body></html>"
    )


def ld(**fields: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(fields)}</script>'


# -- titles ---------------------------------------------------------------------------


def test_cms_placeholder_title_loses_to_the_h1() -> None:
    """A JSON-LD headline the page never shows ("escenic") is a placeholder."""
    html = page(ld(**{"@type": "NewsArticle", "headline": "escenic"}))
    assert html_to_article(html, "mem").title == "Harbour quay reopens after repairs"


@pytest.mark.parametrize(
    ("title", "site"),
    [
        (
            "Harbour quay reopens after repairs - WSVN 7News | Miami News, Weather, Sports",
            "WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale",
        ),
        ("Harbour quay reopens after repairs | DW | 12.03.2013", "DW"),
        ("Harbour quay reopens after repairs – Coastal Times", "Coastal Times"),
        ("COASTAL TIMES | Harbour quay reopens after repairs", "Coastal Times"),
        ("Harbour quay reopens after repairs · 06.11.2023, 11.41 Uhr", "Tide"),
    ],
)
def test_outlet_suffixes_and_dates_are_cut_from_the_title(title: str, site: str) -> None:
    head = f"<title>{title}</title><meta property='og:site_name' content='{site}'>"
    assert html_to_article(page(head, h1=""), "mem").title == "Harbour quay reopens after repairs"


def test_h1_wins_over_a_social_variant_of_the_headline() -> None:
    head = (
        "<meta property='og:title' content='You will not believe what reopened today'>"
        "<title>Harbour quay reopens after repairs | Coastal Times</title>"
    )
    assert html_to_article(page(head), "mem").title == "Harbour quay reopens after repairs"


def test_an_h1_naming_the_site_is_not_the_headline() -> None:
    head = "<title>Harbour quay reopens after repairs | Coastal Times</title>"
    html = page(head, h1="Coastal Times")
    assert html_to_article(html, "mem").title == "Harbour quay reopens after repairs"


def test_strip_site_keeps_dashes_inside_headlines() -> None:
    assert strip_site("Strike ends - ferries run again", []) == "Strike ends - ferries run again"
    assert strip_site("Strike ends - www.coastal-times.de", []) == "Strike ends"


def test_choose_title_without_any_h1() -> None:
    assert choose_title([], ["Strike ends | Tide"], ["Tide"], "") == "Strike ends"
    assert choose_title([], [], [], "") is None


# -- dates ----------------------------------------------------------------------------


def test_published_not_modified_and_updated_kept_apart() -> None:
    head = ld(
        **{
            "@type": "NewsArticle",
            "datePublished": "2013-05-02T08:00:00+02:00",
            "dateModified": "2019-11-20T10:00:00+01:00",
        }
    )
    article = html_to_article(page(head), "mem")
    assert article.published_at is not None and article.published_at.startswith("2013-05-02")
    assert article.updated_at is not None and article.updated_at.startswith("2019-11-20")


def test_published_time_meta_beats_modified_meta() -> None:
    head = (
        "<meta property='article:modified_time' content='2024-06-20T10:00:00Z'>"
        "<meta property='article:published_time' content='2024-06-14T09:00:00Z'>"
    )
    assert (html_to_article(page(head), "mem").published_at or "")[:10] == "2024-06-14"


def test_a_date_in_a_server_comment_is_not_the_publication_date() -> None:
    html = page().replace("<article>", "<!-- rendered 2020-07-08 by node 4 --><article>")
    assert html_to_article(html, "mem").published_at is None


def test_the_byline_date_is_read_when_the_page_has_no_structured_date() -> None:
    before = "<p>Politik 14. Februar 2012</p>"
    assert html_to_article(page(before=before), "mem").published_at == "2012-02-14"


def test_an_updated_line_is_not_the_publication_date() -> None:
    assert page_date([], after="Updated June 20, 2024 · By Ana Ruiz, June 14, 2024") == (
        "2024-06-14"
    )


def test_a_utc_time_gives_way_to_the_readers_day() -> None:
    """02:41 UTC on the 4th was the evening of the 3rd where the paper is read."""
    after = "Ana Ruiz 3 de mayo de 2022 La deuda"
    assert page_date(["Wed, 04 May 2022 02:41:00 GMT"], after=after) == "2022-05-03"
    assert page_date(["2022-05-04T02:41:00+00:00"], after="no byline date") == (
        "2022-05-04T02:41:00+00:00"
    )


# -- outlet ---------------------------------------------------------------------------


def test_outlet_is_never_a_social_media_url() -> None:
    head = (
        "<meta property='og:site_name' content='https://www.facebook.com/tagesspiegel'>"
        "<link rel='canonical' href='https://www.tagesspiegel.de/politik/hafen.html'>"
    )
    assert html_to_article(page(head), "mem").source == "Der Tagesspiegel"


def test_outlet_that_is_the_headline_falls_back_to_the_host() -> None:
    head = (
        "<meta property='og:site_name' content='Harbour quay reopens after repairs'>"
        "<link rel='canonical' href='https://news.example.org/a/1'>"
    )
    assert html_to_article(page(head), "mem").source == "news.example.org"


def test_noisy_outlet_names_are_cleaned() -> None:
    assert clean_outlet("Handelsblatt_De") == "Handelsblatt"
    assert choose_outlet([], "https://futurezone.at/x", "Futurezoneat") == "futurezone"
    assert choose_outlet(["@Tide"], None, None) == "Tide"


def test_json_ld_publisher_names_the_outlet() -> None:
    head = ld(**{"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Tide"}})
    assert html_to_article(page(head), "mem").source == "Tide"


# -- author ---------------------------------------------------------------------------


def test_author_from_json_ld_without_the_outlet() -> None:
    head = (
        ld(**{"@type": "NewsArticle", "author": [{"name": "Rob Smith"}, {"name": "Coastal Times"}]})
        + "<meta property='og:site_name' content='Coastal Times'>"
    )
    assert html_to_article(page(head), "mem").author == "Rob Smith"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Von Roland Brockmann", "Roland Brockmann"),
        ("Veröffentlicht vonChris Jung", "Chris Jung"),
        ("Par Attac France", "Attac France"),
        ("on September 21, 2020 by Adi Tzlil", "Adi Tzlil"),
        ("Walter von Aachen", "Walter von Aachen"),
    ],
)
def test_byline_framing_is_removed(raw: str, name: str) -> None:
    assert choose_author([raw], []) == name


def test_not_names() -> None:
    assert clean_author("admin") is None
    assert clean_author("https://twitter.com/tide") is None
    assert clean_author("12. Januar 2022 10:00") is None


@pytest.mark.parametrize(
    ("h1", "meta", "title"),
    [
        # a kicker above the headline: the headline is the metadata title
        (
            "Covid-19: Can the spread be controlled?",
            "Can the spread be controlled?",
            "Can the spread be controlled?",
        ),
        # the h1 carries the outlet too
        (
            "Quay reopens after repairs | Coastal Times",
            "Quay reopens after repairs: live",
            "Quay reopens after repairs",
        ),
        # a date glued before the h1 by the markup
        (
            "27.01.2022Quay reopens after repairs",
            "Quay reopens after repairs",
            "Quay reopens after repairs",
        ),
    ],
)
def test_h1_shapes(h1: str, meta: str, title: str) -> None:
    head = f"<meta property='og:title' content='{meta}'>"
    assert html_to_article(page(head, h1=h1), "mem").title == title


def test_a_section_before_a_pipe_is_not_the_headline() -> None:
    assert strip_site("Local News | Quay reopens after repairs in Boston", []) == (
        "Quay reopens after repairs in Boston"
    )


def test_a_byline_only_in_the_text_names_the_author() -> None:
    html = page().replace("<p class='byline'>By Ana Ruiz</p>", "<p>Von Anna Berg, 14.06.2024</p>")
    article = html_to_article(html, "mem")
    assert article.author == "Anna Berg" and article.published_at == "2024-06-14"
