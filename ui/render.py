"""HTML for the chat: answers with clickable ``[n]`` markers, source cards, reports.

Everything that comes from an article, a feed, a user or a model is passed through
:func:`html.escape` before any markup of ours is added around it, so a title such as
``<img src=x onerror=alert(1)>`` is shown as text and never interpreted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.pipeline import IngestReport
from rag.timeline import Timeline
from rag.types import DECLINE_TEXT, Answer, Citation, Filters, Passage

# Characters of article text shown around a highlighted quote.
CONTEXT_CHARS = 220
SNIPPET_CHARS = 260
_MARKER = re.compile(r"\[(\d++)\]")


def esc(text: object) -> str:
    """Escape any value for use as HTML text or a quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def _day(published_at: str | None) -> str | None:
    return published_at[:10] if published_at else None


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link (never ``javascript:`` or ``file:``), else None."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


_PARTIAL_LABELS = {"teaser": "teaser only", "paywalled": "paywalled: part of the text"}


def meta_html(
    source: str | None, published_at: str | None, url: str | None, completeness: str = "full"
) -> str:
    """Outlet · date · "teaser only" · link to the original, escaped."""
    bits = [f'<span class="outlet">{esc(source)}</span>'] if source else []
    if day := _day(published_at):
        bits.append(f'<time datetime="{esc(day)}">{esc(day)}</time>')
    if label := _PARTIAL_LABELS.get(completeness):
        bits.append(f'<span class="partial">{esc(label)}</span>')
    if href := safe_url(url):
        bits.append(
            f'<a class="original" href="{esc(href)}" target="_blank" '
            'rel="noopener noreferrer">original ↗</a>'
        )
    return f'<div class="meta">{" · ".join(bits)}</div>' if bits else ""


# -- the answer bubble --------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """What one question searched for, for the small print under its answer."""

    number: int
    question: str
    standalone: str = ""
    filters: str = ""


def text_html(text: str, markers: Iterable[int] = ()) -> str:
    """Escaped ``text`` with each valid ``[n]`` turned into a link to source ``n``."""
    valid = set(markers)

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in valid:
            return match.group(0)
        return f'<a class="cite" href="#source-{n}" title="Show source {n}">[{n}]</a>'

    return _MARKER.sub(link, esc(text)).replace("\n", "<br>")


def small_print(turn: Turn) -> str:
    """What was searched: the rewritten question (when rewritten) and active filters."""
    lines = []
    if turn.standalone and turn.standalone.strip() != turn.question.strip():
        lines.append(f'Searched for: “<span class="standalone">{esc(turn.standalone)}</span>”')
    if turn.filters:
        lines.append(f"Filters: {esc(turn.filters)}")
    return "".join(f'<div class="searched">{line}</div>' for line in lines)


def pending_html(turn: Turn, text: str = "", status: str = "") -> str:
    """An answer still being written: the text so far and a cursor."""
    body = esc(text).replace("\n", "<br>") if text else f'<span class="status">{esc(status)}</span>'
    return f'<div class="answer streaming">{body}<span class="cursor">▍</span></div>'


def answer_html(answer: Answer, turn: Turn) -> str:
    """The final answer bubble; a decline is shown as a notice, never as an answer."""
    print_ = small_print(Turn(turn.number, turn.question, answer.standalone_question, turn.filters))
    if answer.declined:
        return (
            '<div class="decline" role="status"><strong>Not covered.</strong> '
            f"{esc(DECLINE_TEXT)} "
            '<span class="hint">Try other words, widen the filters, or add articles in '
            "the Library tab.</span></div>" + print_
        )
    note = "".join(f'<div class="note">{esc(n)}</div>' for n in answer.notes)
    if answer.fallback_reason:
        note += f'<div class="note">Quoted from the articles: {esc(answer.fallback_reason)}</div>'
    body = text_html(answer.text, (c.n for c in answer.citations))
    return f'<div class="answer">{body}</div>{note}{print_}'


def error_html(message: str) -> str:
    """A failure shown in the chat (the conversation continues)."""
    return (
        f'<div class="error" role="alert"><strong>Could not answer.</strong> {esc(message)}</div>'
    )


def question_html(question: str) -> str:
    """The user's own message, escaped."""
    return esc(question).replace("\n", "<br>")


# -- the sources panel ----------------------------------------------------------------


def passage_context(text: str, start: int, end: int, window: int = CONTEXT_CHARS) -> str:
    """``text`` around ``text[start:end]`` with that span in ``<mark>``, escaped."""
    start, end = max(0, start), min(len(text), end)
    lo, hi = max(0, start - window), min(len(text), end + window)
    # Cut at word boundaries so the context does not begin or end mid-word.
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    before = ("…" if lo > 0 else "") + esc(text[lo:start])
    after = esc(text[end:hi]) + ("…" if hi < len(text) else "")
    return f"{before}<mark>{esc(text[start:end])}</mark>{after}"


def quote_in_passage(citation: Citation, passages: Sequence[Passage]) -> str:
    """The citation's passage with the quoted span highlighted (the quote alone if lost)."""
    for p in passages:
        if p.chunk_id != citation.chunk_id:
            continue
        offset = citation.start - p.start
        if p.text[offset : offset + len(citation.quote)] != citation.quote:
            offset = p.text.find(citation.quote)
        if offset >= 0:
            return passage_context(p.text, offset, offset + len(citation.quote))
    return f"<mark>{esc(citation.quote)}</mark>"


def _card(
    anchor: str, label: str, title: str, meta: str, body: str, url: str | None, css: str
) -> str:
    href = safe_url(url)
    heading = (
        f'<a class="title" href="{esc(href)}" target="_blank" rel="noopener noreferrer">'
        f"{esc(title)}</a>"
        if href
        else f'<span class="title">{esc(title)}</span>'
    )
    return (
        f'<li id="{anchor}" class="{css}"><div class="source-head"><span class="n">{label}</span>'
        f"{heading}</div>{meta}<blockquote>{body}</blockquote></li>"
    )


def _snippet(p: Passage) -> str:
    text = p.text if len(p.text) <= SNIPPET_CHARS else p.text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return esc(text) + ("…" if len(text) < len(p.text) else "")


def _retrieved_items(passages: Sequence[Passage], prefix: str) -> str:
    return "".join(
        _card(
            f"{prefix}-{i}",
            f"{i}.",
            p.title or "(untitled)",
            meta_html(p.source, p.published_at, p.url, p.completeness),
            _snippet(p),
            p.url,
            "source retrieved",
        )
        for i, p in enumerate(passages, start=1)
    )


def retrieved_html(passages: Sequence[Passage], turn: int) -> str:
    """The passages found, shown while the answer is being written."""
    if not passages:
        return (
            f'<div class="sources pending" data-turn="{turn}"><h3>No passages found</h3>'
            "<p>Nothing in the library matches (check the filters).</p></div>"
        )
    return (
        f'<div class="sources pending" data-turn="{turn}">'
        f"<h3>Found {len(passages)} passages · writing the answer…</h3>"
        f'<ol class="source-list">{_retrieved_items(passages, "passage")}</ol></div>'
    )


def searching_html(turn: int, filters: str = "") -> str:
    """The panel while retrieval runs."""
    where = f" ({esc(filters)})" if filters else ""
    return (
        f'<div class="sources pending" data-turn="{turn}">'
        f"<h3>Searching the library{where}…</h3></div>"
    )


def sources_html(answer: Answer, turn: int) -> str:
    """The cited sources (numbered as in the answer), then the rest of what was searched."""
    if answer.declined or not answer.citations:
        if not answer.passages:
            return (
                f'<div class="sources declined" data-turn="{turn}">'
                "<h3>No source covers this</h3></div>"
            )
        return (
            f'<div class="sources declined" data-turn="{turn}">'
            "<h3>No source covers this · closest passages searched</h3>"
            f'<ol class="source-list">{_retrieved_items(answer.passages, "passage")}</ol></div>'
        )
    cards = "".join(
        _card(
            f"source-{c.n}",
            f"[{c.n}]",
            c.title or "(untitled)",
            meta_html(c.source, c.published_at, c.url, c.completeness),
            quote_in_passage(c, answer.passages),
            c.url,
            "source cited",
        )
        for c in answer.citations
    )
    cited_chunks = {c.chunk_id for c in answer.citations}
    rest = [p for p in answer.passages if p.chunk_id not in cited_chunks]
    more = ""
    if rest:
        more = (
            f'<details class="more"><summary>Also searched ({len(rest)} passages)</summary>'
            f'<ol class="source-list">{_retrieved_items(rest, "passage")}</ol></details>'
        )
    return (
        f'<div class="sources" data-turn="{turn}"><h3>Sources</h3>'
        f'<ol class="source-list">{cards}</ol>{more}</div>'
    )


# -- banners and reports -------------------------------------------------------------


def filters_banner(filters: Filters | None, articles: int | None = None) -> str:
    """The filters in force, shown above the chat."""
    if filters is None or filters.is_empty():
        scope = f"all {articles} articles" if articles is not None else "all articles"
        return f'<div class="filters-banner">Searching {scope}</div>'
    return (
        '<div class="filters-banner active">Searching only: '
        f'<span class="filters">{esc(filters.describe())}</span></div>'
    )


def ingest_report_html(
    report: IngestReport,
    titles: dict[str, str],
    rejected: Sequence[tuple[str, str]] = (),
    origins: dict[str, str] | None = None,
) -> str:
    """The outcome of adding articles: counts, then every article and failure by name.

    ``titles`` maps article ids to titles; ``rejected`` are inputs refused before
    ingesting (name, reason); ``origins`` maps staged file paths back to upload names.
    """
    origins = origins or {}

    def origin(text: str) -> str:
        for staged, name in origins.items():
            if text.startswith(staged):
                return name + text[len(staged) :]
        return text

    unchanged = len(report.unchanged) + len(report.duplicates)
    failed = len(report.failed) + len(rejected)
    counts = (
        ("added", len(report.added)),
        ("updated", len(report.updated)),
        ("unchanged", unchanged),
        ("failed", failed),
    )
    chips = "".join(
        f'<span class="chip {name}" data-count="{n}">{name} <b>{n}</b></span>' for name, n in counts
    )
    lines: list[str] = []
    for name, ids in (("added", report.added), ("updated", report.updated)):
        lines += [
            f'<li class="{name}">{name}: {esc(titles.get(i, i))} <code>{esc(i)}</code></li>'
            for i in ids
        ]
    lines += [
        f'<li class="unchanged">unchanged: {esc(titles.get(i, i))}</li>' for i in report.unchanged
    ]
    lines += [
        f'<li class="unchanged">duplicate: {esc(titles.get(new, new))} has the same text as '
        f"{esc(titles.get(old, old))}</li>"
        for new, old in report.duplicates
    ]
    lines += [
        f'<li class="failed">failed: {esc(origin(f.origin))}: {esc(f.reason)}</li>'
        for f in report.failed
    ]
    lines += [f'<li class="failed">failed: {esc(n)}: {esc(r)}</li>' for n, r in rejected]
    lines += [
        f'<li class="skipped">skipped: {esc(origin(s.origin))}: {esc(s.reason)}</li>'
        for s in report.skipped
    ]
    lines += [f'<li class="warning">warning: {esc(a)}: {esc(w)}</li>' for a, w in report.warnings]
    took = f'<span class="took">{report.seconds:.1f} s</span>' if report.seconds else ""
    return (
        f'<div class="ingest-report"><div class="chips">{chips}{took}</div>'
        f'<ul class="report-lines">{"".join(lines)}</ul></div>'
    )


def timeline_html(timeline: Timeline) -> str:
    """A :class:`rag.timeline.Timeline` as days, each with its stories' quotes."""
    if not timeline.entries:
        return notice_html(f"No stored article is about “{timeline.topic}”.")
    parts = [f'<div class="note">{esc(n)}</div>' for n in timeline.notes]
    for day, entries in timeline.by_day().items():
        items = []
        for e in entries:
            c = e.citation
            also = f" · also {esc(', '.join(e.also))}" if e.also else ""
            meta = meta_html(c.source, c.published_at, c.url, c.completeness)
            items.append(
                f'<li class="timeline-entry"><span class="marker">[{c.n}]</span> '
                f'<q>{esc(c.quote)}</q> <span class="meta">{esc(c.title)} · {meta}{also}'
                "</span></li>"
            )
        heading = f'<section class="timeline-day"><h4>{esc(day)}</h4>'
        parts.append(f"{heading}<ul>{''.join(items)}</ul></section>")
    return f'<div class="timeline">{"".join(parts)}</div>'


def notice_html(message: str, kind: str = "info") -> str:
    """A one-line notice (``info``, ``ok`` or ``error``)."""
    return f'<div class="notice {esc(kind)}">{esc(message)}</div>'
