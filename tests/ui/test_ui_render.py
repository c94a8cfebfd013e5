"""The HTML the chat shows: escaped article text, clickable markers, highlighted quotes."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from ingest.loaders.base import Failure
from ingest.pipeline import IngestReport
from rag.types import DECLINE_TEXT, Answer, Citation, Filters, Passage
from ui import render

HOSTILE = "<img src=x onerror=alert(1)>"
BODY = "Intro sentence here. The council approved <script>alert(2)</script> lanes. Outro text."


class Tags(HTMLParser):
    """Collects the tags and attributes of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(fragment)
    return parser.tags


def passage(text: str = BODY, start: int = 100, **kw: object) -> Passage:
    fields: dict[str, object] = dict(
        chunk_id="a:0",
        article_id="a",
        text=text,
        title=HOSTILE,
        source="Evil <b>Gazette</b>",
        url="https://example.org/a",
        published_at="2024-01-10T08:00:00+00:00",
        start=start,
        end=start + len(text),
    )
    fields.update(kw)
    return Passage(**fields)  # type: ignore[arg-type]


def citation(p: Passage, quote: str, n: int = 1) -> Citation:
    offset = p.text.index(quote)
    return Citation(
        n=n,
        article_id=p.article_id,
        title=p.title,
        source=p.source,
        url=p.url,
        published_at=p.published_at,
        quote=quote,
        chunk_id=p.chunk_id,
        start=p.start + offset,
        end=p.start + offset + len(quote),
    )


def test_markers_become_links_and_text_is_escaped() -> None:
    out = render.text_html("A <b>claim</b> [1]. Unknown [7].", [1])
    assert "&lt;b&gt;claim&lt;/b&gt;" in out
    assert '<a class="cite" href="#source-1"' in out
    assert "[7]" in out and "#source-7" not in out
    assert [t for t, _ in tags(out)] == ["a"]


def test_sources_escape_titles_quotes_and_outlets() -> None:
    p = passage()
    quote = "The council approved <script>alert(2)</script> lanes."
    answer = Answer("q", "The council approved lanes. [1]", [citation(p, quote)], [p])
    out = render.sources_html(answer, 0)
    assert html.escape(HOSTILE) in out
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in out
    assert "Evil &lt;b&gt;Gazette&lt;/b&gt;" in out
    names = {t for t, _ in tags(out)}
    assert not names & {"img", "script", "b"}
    assert 'id="source-1"' in out


def test_cited_span_is_highlighted_inside_its_passage() -> None:
    p = passage()
    quote = "The council approved <script>alert(2)</script> lanes."
    out = render.quote_in_passage(citation(p, quote), [p])
    before, marked = out.split("<mark>", 1)
    assert before == "Intro sentence here. "
    assert marked.startswith(html.escape(quote) + "</mark>")
    assert marked.endswith(" Outro text.")


def test_highlight_survives_offsets_that_do_not_match() -> None:
    p = passage()
    c = citation(p, "Outro text.")
    shifted = Citation(**{**c.__dict__, "start": 0, "end": 5})
    assert "<mark>Outro text.</mark>" in render.quote_in_passage(shifted, [p])
    assert render.quote_in_passage(c, []) == "<mark>Outro text.</mark>"


def test_long_passages_are_trimmed_around_the_quote() -> None:
    text = "word " * 200 + "The quoted sentence. " + "more " * 200
    out = render.passage_context(text, text.index("The"), text.index("The") + 20, window=50)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>The quoted sentence.</mark>" in out
    assert len(out) < 200


def test_unsafe_links_are_not_rendered() -> None:
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("file:///etc/passwd") is None
    out = render.meta_html("X", None, "javascript:alert(1)")
    assert "href" not in out


def test_a_decline_is_a_notice_not_an_answer() -> None:
    answer = Answer("q", DECLINE_TEXT, declined=True, standalone_question="q")
    out = render.answer_html(answer, render.Turn(0, "q", "", "until 2023-12-31"))
    assert 'class="decline"' in out and 'class="answer"' not in out
    assert "don&#x27;t cover this" in out
    assert "Filters: until 2023-12-31" in out


def test_an_answer_shows_its_notes() -> None:
    notes = ["No stored article comes from Daily Planet; other outlets are used.",
             "Reported: [1] Reuters, 2023-11-14."]
    answer = Answer("q", "It ends Friday [1].", standalone_question="q", notes=notes)
    out = render.answer_html(answer, render.Turn(0, "q", "", ""))
    assert all(f'<div class="note">{render.esc(n)}</div>' in out for n in notes)


def test_timeline_escapes_and_groups_by_day() -> None:
    from rag.timeline import Timeline, TimelineEntry

    c = Citation(1, "a", "<b>T</b>", "<i>Out</i>", None, "2023-11-14", "Q <x>.", "a:0", 0, 6)
    out = render.timeline_html(Timeline("t", [TimelineEntry("2023-11-14", c, ("<s>",))]))
    assert "<h4>2023-11-14</h4>" in out and "<x>" not in out and "&lt;x&gt;" in out
    assert "<b>" not in out and "<i>" not in out and "also &lt;s&gt;" in out
    assert 'class="notice' in render.timeline_html(Timeline("nothing"))


def test_small_print_shows_the_rewritten_question_only_when_rewritten() -> None:
    same = render.small_print(render.Turn(1, "Who won?", "Who won?"))
    rewritten = render.small_print(render.Turn(1, "and NATO?", "What did <NATO> say?"))
    assert same == ""
    assert "Searched for" in rewritten and "&lt;NATO&gt;" in rewritten


def test_filters_banner() -> None:
    assert "all 3 articles" in render.filters_banner(None, 3)
    active = render.filters_banner(Filters(("A<b>",), "2024-01-01"))
    assert "outlets: A&lt;b&gt;; from 2024-01-01" in active


def test_ingest_report_counts_and_names_failures() -> None:
    report = IngestReport(
        added=["a1"],
        unchanged=["u1"],
        duplicates=[("d1", "u1")],
        failed=[Failure("/private/uploads/bad.json", "invalid JSON <x>")],
    )
    out = render.ingest_report_html(
        report,
        {"a1": "New <i>story</i>", "u1": "Old"},
        rejected=[("x.pdf", "unsupported file type .pdf")],
        origins={"/private/uploads/bad.json": "bad.json"},
    )
    assert 'class="chip added" data-count="1"' in out
    assert 'class="chip unchanged" data-count="2"' in out
    assert 'class="chip failed" data-count="2"' in out
    assert "New &lt;i&gt;story&lt;/i&gt;" in out
    assert "failed: bad.json: invalid JSON &lt;x&gt;" in out
    assert "/private/uploads" not in out
    assert "x.pdf: unsupported file type .pdf" in out


def test_partial_articles_are_labelled_in_sources() -> None:
    assert "teaser only" in render.meta_html("Wire", "2024-06-14", None, "teaser")
    assert "paywalled" in render.meta_html("Wire", "2024-06-14", None, "paywalled")
    assert "partial" not in render.meta_html("Wire", "2024-06-14", None, "full")
