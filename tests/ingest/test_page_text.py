"""Article text: the site's lines removed, text carried only in JSON recovered, paywall
stubs flagged (short excerpts written for these tests)."""

from __future__ import annotations

import json

import pytest

from ingest.article import FULL, PAYWALLED
from ingest.loaders.boilerplate import clean_text, recovered_text
from ingest.loaders.completeness import completeness
from ingest.loaders.html import html_to_article

PARAGRAPHS = [
    "The harbour authority reopened the northern quay on Monday after a week of repairs "
    "to the storm-damaged sea wall, officials said.",
    "Ferries to the islands will resume their normal timetable on Wednesday, and the "
    "fish market returns to the quay at the weekend.",
]
BODY = "\n".join(PARAGRAPHS)


@pytest.mark.parametrize(
    "tail",
    [
        "Sign up for our morning newsletter\nGet the best stories in your inbox",
        "Continue reading...",
        "© 2024 Coastal Media. All rights reserved.",
        "Follow The Coastal Times on Twitter and Instagram @CoastalTimes",
        "Related\nHarbour fees rise for the third year\nFish market opens a second hall",
        "Lea también: Impiden ingreso a reportero",
        "Mehr zum Thema\nHafen: Neue Gebühren ab Juli",
    ],
)
def test_site_lines_after_the_story_are_removed(tail: str) -> None:
    assert clean_text(BODY + "\n" + tail) == BODY


def test_link_lines_inside_the_story_are_removed() -> None:
    text = f"{PARAGRAPHS[0]}\nRead more: Storm closes harbour for a week\n{PARAGRAPHS[1]}"
    assert clean_text(text) == BODY


def test_story_paragraphs_that_mention_a_newsletter_stay() -> None:
    long_line = (
        "The authority said it would announce the new timetable in its newsletter and on "
        "its website, and asked travellers to check both before setting out to the quay "
        "during the first week."
    )
    assert clean_text(BODY + "\n" + long_line) == BODY + "\n" + long_line


def test_a_list_article_is_not_taken_for_a_link_list() -> None:
    text = "Ingredients\n200 g flour\n2 eggs\n100 ml milk\nA pinch of salt"
    assert clean_text(text) == text


def test_text_only_in_json_ld_is_recovered() -> None:
    """A page whose HTML shows only a photo caption, with the article in its JSON-LD."""
    article_body = " ".join(PARAGRAPHS * 4)
    html = (
        '<html><head><script type="application/ld+json">'
        + json.dumps(
            {"@type": "NewsArticle", "headline": "Quay reopens", "articleBody": article_body}
        )
        + "</script></head><body><h1>Quay reopens</h1><figure><figcaption>Workers on the "
        "quay wall on Sunday, a day before it reopened to ships.</figcaption></figure>"
        "</body></html>"
    )
    article = html_to_article(html, "mem")
    assert article.body.startswith(PARAGRAPHS[0]) and len(article.body) >= len(article_body) - 10


def test_a_shorter_json_body_does_not_replace_the_page_text() -> None:
    assert recovered_text(BODY, "Short teaser.") == BODY


@pytest.mark.parametrize(
    "stub",
    [
        "The council voted on Monday to close the quay. Please subscribe to read the full "
        "story. $60 Annual Subscription",
        "Der Rat hat am Montag beschlossen, den Kai zu schließen. Jetzt weiterlesen mit Plus.",
        "Le conseil a voté lundi la fermeture du quai. Article réservé aux abonnés.",
        "El consejo votó el lunes cerrar el muelle. Contenido exclusivo para suscriptores.",
    ],
)
def test_paywall_stubs_are_flagged(stub: str) -> None:
    assert completeness(stub) == PAYWALLED


def test_long_articles_with_a_subscribe_box_are_full() -> None:
    assert completeness(BODY * 10 + "\nSubscribe to our newsletter") == FULL


def test_json_ld_not_free_marks_a_short_page_paywalled() -> None:
    html = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "isAccessibleForFree": "False"})
        + f"</script></head><body><h1>Quay closes</h1><p>{PARAGRAPHS[0]}</p></body></html>"
    )
    assert html_to_article(html, "mem").completeness == PAYWALLED


def test_a_paywall_stub_never_replaces_a_stored_full_text() -> None:
    from ingest.article import Article
    from ingest.policy import StoredState, refusal

    stored = StoredState("h1", "done", "https://a.org/story", chars=2400)
    stub = Article(
        id="x",
        title="T",
        body="Subscribe.",
        provenance="https://a.org/story",
        completeness=PAYWALLED,
    )
    assert "paywall stub" in (refusal(stored, stub) or "")
    assert refusal(stored, stub, replace=True) is None


def test_text_only_in_next_js_data_is_recovered() -> None:
    """A page that renders only a photo caption and carries the story in __NEXT_DATA__."""
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    data = {"props": {"pageProps": {"article": {"headline": "Quay", "body": story}}}}
    html = (
        "<html><body><h1>Quay reopens</h1><figure><figcaption>Workers on the quay wall on "
        "Sunday, a day before it reopened to ships.</figcaption></figure>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
        "</body></html>"
    )
    assert html_to_article(html, "mem").body.startswith(PARAGRAPHS[0])
