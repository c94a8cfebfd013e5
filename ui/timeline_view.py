"""The chat's Timeline tab: a topic's stories day by day, each line a cited quote
(see :mod:`rag.timeline`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsqa.settings import Settings
from rag.query import QuestionError, check_question
from rag.retrieve import retriever_for
from rag.timeline import build_timeline
from rag.when import as_date
from ui import render


def timeline_view(settings: Settings, topic: str, as_of: str | None = None) -> str:
    """The HTML of ``topic``'s timeline (or a notice saying what is wrong).

    Example:
        >>> timeline_view(settings, "the ferry strike", "2023-11-20")  # doctest: +SKIP
        '<div class="timeline">...'
    """
    try:
        check_question(topic)
        day = as_date(as_of) if as_of and as_of.strip() else None
    except (QuestionError, ValueError) as exc:
        return render.notice_html(str(exc), "error")
    return render.timeline_html(build_timeline(topic, retriever_for(settings), day))


@dataclass(frozen=True)
class TimelineTab:
    """The tab's components (for wiring and tests)."""

    topic: Any
    as_of: Any
    show: Any
    view: Any


def build_timeline_tab(settings: Settings) -> TimelineTab:
    """Build the Timeline tab's contents inside the open ``gr.Tab`` and wire them.

    Example:
        >>> with gr.Blocks(), gr.Tab("Timeline"):          # doctest: +SKIP
        ...     tab = build_timeline_tab(settings)
    """
    import gradio as gr

    with gr.Row():
        topic = gr.Textbox(
            label="Topic", placeholder="e.g. the OpenAI board and Sam Altman", scale=4,
            elem_id="timeline-topic",
        )
        as_of = gr.Textbox(label="As of (YYYY-MM-DD)", scale=1, elem_id="timeline-as-of")
    show = gr.Button("Show timeline", variant="primary", elem_id="timeline-show")
    view = gr.HTML(elem_id="timeline-view")

    def on_show(text: str, day: str) -> str:
        return timeline_view(settings, text, day)

    for trigger in (show.click, topic.submit):
        trigger(on_show, [topic, as_of], [view], concurrency_limit=settings.concurrency)
    return TimelineTab(topic, as_of, show, view)
