"""The Gradio chat: streamed answers with numbered, quoted sources under them."""

from __future__ import annotations

import html
import ipaddress
import os
import sys
from collections.abc import Iterator
from typing import Any

from newsqa.settings import Settings
from rag.types import Answer, Citation, Passage, Retrieval

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

TITLE = "newsqa"


def sources_html(passages: list[Passage], citations: list[Citation] | None = None) -> str:
    """Numbered sources as HTML; all article text is escaped, never interpreted."""
    esc = html.escape
    if citations:
        items = [
            f'<li id="source-{c.n}" class="source"><span class="n">[{c.n}]</span> '
            f"<b>{esc(c.title)}</b> {_meta(c.source, c.published_at, c.url)}"
            f'<blockquote class="quote">{esc(c.quote)}</blockquote></li>'
            for c in citations
        ]
        return f'<ol class="sources">{"".join(items)}</ol>'
    if passages:
        items = [
            f'<li class="source"><b>{esc(p.title)}</b> {_meta(p.source, p.published_at, p.url)}'
            f'<blockquote class="quote">{esc(p.text[:300])}…</blockquote></li>'
            for p in passages
        ]
        return (
            '<div class="retrieved">Searching these passages…</div>'
            f'<ol class="sources">{"".join(items)}</ol>'
        )
    return ""


def _meta(source: str | None, published_at: str | None, url: str | None) -> str:
    bits = [html.escape(x) for x in (source, published_at[:10] if published_at else None) if x]
    text = " · ".join(bits)
    if url and url.startswith(("http://", "https://")):
        href = html.escape(url, quote=True)
        link = f'<a href="{href}" target="_blank" rel="noopener noreferrer">link</a>'
        text = f"{text} · {link}" if text else link
    return f'<span class="meta">{text}</span>' if text else ""


def build_app(settings: Settings, answerer: Any = None) -> Any:
    """The Gradio Blocks app for ``settings`` (``answerer`` defaults to a new one)."""
    import gradio as gr

    from rag.answer import Answerer

    answerer = answerer or Answerer(settings)

    def respond(message: str, history: list[dict[str, Any]]) -> Iterator[tuple[Any, str, str]]:
        message = (message or "").strip()
        if not message:
            yield history, "", ""
            return
        history = [*history, {"role": "user", "content": message}]
        earlier = history[:-1]
        text = ""
        sources = ""
        for event in answerer.stream(message, earlier):
            if isinstance(event, Retrieval):
                sources = sources_html(event.passages)
                yield [*history, {"role": "assistant", "content": "…"}], sources, ""
            elif isinstance(event, Answer):
                sources = (
                    sources_html(event.passages, event.citations) if not event.declined else ""
                )
                yield [*history, {"role": "assistant", "content": event.text}], sources, ""
            else:
                text += event
                yield [*history, {"role": "assistant", "content": text}], sources, ""

    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(
            f"## {TITLE}: ask the news\nAnswers cite quoted passages from the ingested articles."
        )
        chatbot = gr.Chatbot(label="Chat", height=420, sanitize_html=True, render_markdown=False)
        box = gr.Textbox(
            placeholder="Ask about the articles…", show_label=False, elem_id="question"
        )
        sources = gr.HTML(elem_id="sources")
        box.submit(
            respond, [box, chatbot], [chatbot, sources, box], concurrency_limit=settings.concurrency
        )
    return app


def check_bind(settings: Settings) -> str | None:
    """Why the bind address is refused (``None`` when fine): non-loopback needs auth."""
    try:
        loopback = ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        loopback = settings.host == "localhost"
    if not loopback and not settings.auth:
        return (
            f"refusing to serve on {settings.host} without a password: "
            "pass --auth user:password (or set NEWSQA_AUTH)"
        )
    return None


def serve(settings: Settings) -> int:
    """Run the chat server until interrupted (used by ``newsqa chat``)."""
    problem = check_bind(settings)
    if problem:
        print(f"newsqa: {problem}", file=sys.stderr)
        return 2
    app = build_app(settings)
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    app.queue(default_concurrency_limit=settings.concurrency, max_size=32)
    print(f"newsqa chat on http://{settings.host}:{settings.port}", flush=True)
    app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth,
        share=False,
        show_error=True,
        quiet=True,
    )
    return 0
