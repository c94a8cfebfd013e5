"""The Gradio app: a chat with streamed, cited answers, a Library tab and Settings.

Each browser session keeps its own conversation in ``gr.State``; the models, the
store and the retriever are shared. The queue bounds how many answers and ingests
run at once (``NEWSQA_CONCURRENCY``), and everything shown from articles, users or
models is escaped in :mod:`ui.render`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import gradio as gr

from newsqa.settings import LLM_BACKENDS, Settings
from rag.query import check_question
from rag.types import Answer, Filters, Retrieval
from ui import render
from ui.assets import CSS, JS
from ui.feeds import build_feeds_section
from ui.library import (
    COLUMNS,
    DATATYPES,
    date_span,
    expected_articles,
    human_bytes,
    library_rows,
    outlets,
    parse_urls,
    remove_staged,
    stage_uploads,
    supported_types,
)
from ui.timeline_view import build_timeline_tab

log = logging.getLogger(__name__)
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

TITLE = "newsqa"
# Waiting requests allowed per concurrent worker before new ones are turned away.
QUEUE_PER_WORKER = 64
MAX_K = 12
BACKEND_LABELS = {
    "local": "Local model (GGUF, llama.cpp)",
    "openai": "OpenAI-compatible server",
    "extractive": "Extractive (quotes the best sentences, no model)",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- shared, per-process state ---------------------------------------------------------


class Backends:
    """One :class:`~rag.answer.Answerer` per backend, shared by every session.

    Models load once per process; each session picks a backend per question.
    """

    def __init__(self, settings: Settings, answerer: Any = None) -> None:
        self.settings = settings
        self._answerers: dict[str, Any] = {}
        if answerer is not None:
            self._answerers[settings.llm] = answerer
        self._lock = threading.Lock()
        self.ready = threading.Event()

    def get(self, backend: str) -> Any:
        """The answerer for ``backend`` (created on first use)."""
        from rag.answer import Answerer

        if backend not in LLM_BACKENDS:
            raise ValueError(f"unknown backend {backend!r}")
        with self._lock:
            if backend not in self._answerers:
                self._answerers[backend] = Answerer(self.settings.with_(llm=backend))
            return self._answerers[backend]

    @property
    def store(self) -> Any:
        """The vector store behind every backend (one per process)."""
        return self.get(self.settings.llm).retriever.store

    def describe(self, backend: str) -> str:
        """Which model answers for ``backend``, for the status line."""
        from rag.llm import describe

        answerer = self._answerers.get(backend)
        if answerer is not None and answerer.backend not in LLM_BACKENDS:
            return f"{answerer.backend} (supplied by the caller)"
        return describe(self.settings.with_(llm=backend))

    def problem(self, backend: str) -> str | None:
        """Why ``backend`` cannot answer as configured (checked without loading a model)."""
        if backend == "openai" and backend not in self._answerers:
            s = self.settings
            if not s.openai_base_url and not s.openai_api_key:
                return (
                    "not configured: set NEWSQA_OPENAI_BASE_URL (Ollama, vLLM, llama.cpp "
                    "server) or NEWSQA_OPENAI_API_KEY"
                )
        gguf = self.settings.gguf
        if backend == "local" and backend not in self._answerers and gguf and not gguf.is_file():
            return f"model file not found: {gguf}"
        return None

    def warm_up(self) -> None:
        """Load the embedder, the lexical index and the local model before the first
        question, so the first answer does not pay for them."""
        try:
            answerer = self.get(self.settings.llm)
            answerer.retriever.retrieve("warm up", 1)
            from langchain_core.messages import HumanMessage, SystemMessage

            from rag.llm import LlamaCppChat
            from rag.prompt import ANSWER_SYSTEM

            llm = answerer.llm
            if isinstance(llm, LlamaCppChat):
                # One token with the fixed system prompt also fills llama.cpp's cache.
                quick = llm.model_copy(update={"max_tokens": 1})
                quick.invoke([SystemMessage(content=ANSWER_SYSTEM), HumanMessage(content="Hi")])
        except Exception as exc:  # the first question will report the problem properly
            log.warning("warm-up failed: %s", exc)
        finally:
            self.ready.set()


# -- pure helpers ------------------------------------------------------------------------


def parse_day(label: str, value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` box's day (``None`` when empty); ``ValueError`` naming the box.

    >>> parse_day("As of", "2023-11-20"), parse_day("As of", " ")
    (datetime.date(2023, 11, 20), None)
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        if not _DAY.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label} date {value!r} is not a date: use YYYY-MM-DD") from None


def make_filters(
    sources: list[str] | None, after: str | None, before: str | None
) -> Filters | None:
    """Filters from the chat's controls; raises ``ValueError`` naming a bad date.

    >>> make_filters(["BBC"], "2024-06-01", "").describe()
    'outlets: BBC; from 2024-06-01'
    >>> make_filters([], "", "") is None
    True
    """
    after, before = (after or "").strip(), (before or "").strip()
    parse_day("From", after)
    parse_day("Until", before)
    if after and before and after > before:
        raise ValueError(f"the From date {after} is after the Until date {before}")
    filters = Filters(tuple(sources or ()), after or None, before or None)
    return None if filters.is_empty() else filters


def friendly_error(exc: Exception) -> str:
    """A message for the chat: known failures say what to do; others point to the log."""
    from rag.llm import LLMError
    from rag.model_files import ModelFileError
    from vectorstore.store import StoreError

    if isinstance(exc, LLMError | ModelFileError | StoreError | ValueError):
        return str(exc)
    return f"unexpected {type(exc).__name__} (details are in the server log)"


def _assistant(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def _user(question: str) -> dict[str, str]:
    return {"role": "user", "content": render.question_html(question)}


# -- the app -----------------------------------------------------------------------------


def build_app(settings: Settings, answerer: Any = None, backends: Backends | None = None) -> Any:
    """The Gradio Blocks app for ``settings``.

    ``answerer`` replaces the answerer of ``settings.llm`` (tests pass one with a fake
    streaming model); other backends are created when a user picks them.
    """
    from ingest.pipeline import IngestReport, Progress, ingest
    from rag.cite import strip_markers
    from ui.cli import source_options

    backends = backends or Backends(settings, answerer)
    store = backends.store
    uploads_dir = settings.home / "uploads"
    upload_lock = threading.Lock()

    # -- status and library views ---------------------------------------------------

    def records() -> list[Any]:
        return list(store.iter_records())

    def statuses(backend: str, recs: list[Any] | None = None) -> tuple[str, str]:
        """The status line for the header and for the Settings tab."""
        recs = records() if recs is None else recs
        done = sum(r.status == "done" for r in recs)
        chunks = sum(r.n_chunks for r in recs if r.status == "done")
        bits = [
            f"Model: {backends.describe(backend)}",
            f"Store: {settings.store_label}",
            f"{done} articles, {chunks} chunks",
        ]
        if problem := backends.problem(backend):
            bits.insert(1, f"⚠ {problem}")
        if not backends.ready.is_set():
            bits.append("warming up…")
        text = render.esc(" · ".join(bits))
        return f'<div id="status-text">{text}</div>', f'<div class="status-text">{text}</div>'

    def summary_html(recs: list[Any]) -> str:
        done = [r for r in recs if r.status == "done"]
        if not done:
            return render.notice_html("The library is empty: add articles below (files or URLs).")
        span = date_span(done)
        when = f", published {span[0]} to {span[1]}" if span else ""
        pending = len(recs) - len(done)
        extra = f" ({pending} incomplete: re-ingest them)" if pending else ""
        return render.notice_html(
            f"{len(done)} articles from {len(outlets(done))} outlets{when}{extra}."
        )

    def placeholder(recs: list[Any]) -> str:
        n = sum(r.status == "done" for r in recs)
        if not n:
            return "**The library is empty.** Add articles in the Library tab, then ask here."
        return (
            f"**Ask about the {n} articles in the library.** Answers quote their sources: "
            "click a [n] to see the passage. Follow-up questions work."
        )

    def library_view(recs: list[Any] | None = None) -> tuple[Any, ...]:
        recs = records() if recs is None else recs
        return (
            gr.Dataframe(value=library_rows(recs)),
            summary_html(recs),
            gr.Dropdown(choices=outlets(recs)),
            gr.Chatbot(placeholder=placeholder(recs)),
        )

    def banner(
        sources: list[str] | None, after: str, before: str, recs: list[Any] | None = None
    ) -> str:
        try:
            filters = make_filters(sources, after, before)
        except ValueError as exc:
            return render.notice_html(str(exc), "error")
        count = None
        if filters is None:
            count = sum(r.status == "done" for r in (records() if recs is None else recs))
        return render.filters_banner(filters, count)

    def on_load(backend: str, sources: list[str], after: str, before: str) -> tuple[Any, ...]:
        recs = records()  # one pass over the registry for everything the page shows
        return (
            *library_view(recs),
            *statuses(backend, recs),
            banner(sources, after, before, recs),
            gr.Timer(active=not backends.ready.is_set()),
        )

    def while_warming(backend: str) -> tuple[Any, ...]:
        return (*statuses(backend), gr.Timer(active=not backends.ready.is_set()))

    # -- chat ---------------------------------------------------------------------------

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, str]],
        sources: list[str],
        after: str,
        before: str,
        backend: str,
        k: float,
        as_of_text: str = "",
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            check_question(question)  # too long or not text: say so, keep it in the box
            filters = make_filters(sources, after, before)
            as_of = parse_day("As of", as_of_text)
        except ValueError as exc:
            gr.Warning(str(exc))
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        number = len(turns)
        described = filters.describe() if filters else ""
        turn = render.Turn(number, question, "", described)
        # Earlier questions as they were searched, and their answers: a follow-up may
        # refer to someone only an answer named ("What did he say next?").
        history = [
            message
            for t in turns
            for message in (
                {"role": "user", "content": t["standalone"] or t["question"]},
                {"role": "assistant", "content": t.get("answer", "")},
            )
        ]
        chat = [*chat, _user(question), _assistant(render.pending_html(turn, status="Searching…"))]
        panel = render.searching_html(number, described)
        yield chat, panel, "", turns
        text, final = "", None
        try:
            answerer = backends.get(backend)
            for event in answerer.stream(
                question, history, k=int(k), where=filters, as_of=as_of
            ):
                if isinstance(event, Retrieval):
                    turn = render.Turn(number, question, event.standalone_question, described)
                    panel = render.retrieved_html(event.passages, number)
                    status = "Writing the answer…" if event.passages else "Checking…"
                    pending = render.pending_html(turn, status=status) + render.small_print(turn)
                    chat[-1] = _assistant(pending)
                    yield chat, panel, gr.skip(), gr.skip()
                elif isinstance(event, Answer):
                    final = event
                else:
                    text += event
                    pending = render.pending_html(turn, strip_markers(text))
                    chat[-1] = _assistant(pending + render.small_print(turn))
                    yield chat, gr.skip(), gr.skip(), gr.skip()
        except Exception as exc:
            log.exception("answering %r failed", question)
            chat[-1] = _assistant(render.error_html(friendly_error(exc)))
            record = {"question": question, "standalone": "", "sources": panel}
            yield chat, panel, gr.skip(), [*turns, record]
            return
        assert final is not None
        panel = render.sources_html(final, number)
        chat[-1] = _assistant(render.answer_html(final, turn))
        record = {
            "question": question,
            "standalone": final.standalone_question,
            "sources": panel,
            "answer": "" if final.declined else final.text,
        }
        yield chat, panel, gr.skip(), [*turns, record]

    def show_turn(turns: list[dict[str, str]], evt: gr.SelectData) -> Any:
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        number = int(index) // 2  # every turn is one question and one answer
        if 0 <= number < len(turns):
            return turns[number]["sources"]
        return gr.skip()

    def new_chat() -> tuple[Any, ...]:
        return [], "", [], ""

    # -- library ------------------------------------------------------------------------

    def add_articles(
        files: list[Any] | None,
        urls_text: str,
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio injects progress this way
    ) -> tuple[Any, ...]:
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in files or []]
        urls, refused = parse_urls(urls_text)
        with upload_lock, contextlib.ExitStack() as held:
            try:  # the writer lock first: nothing is staged while another process writes
                held.enter_context(store.exclusive("upload"))
            except Exception as exc:
                busy = render.notice_html(f"Nothing was added: {friendly_error(exc)}", "error")
                return (busy, *library_view(), None, gr.skip())
            staged = stage_uploads(paths, uploads_dir, settings.max_bytes)
            rejected = staged.rejected + refused
            inputs = staged.paths + urls
            if not inputs:
                message = (
                    render.ingest_report_html(IngestReport(), {}, rejected)
                    if rejected
                    else render.notice_html("Choose files or paste URLs first.", "error")
                )
                return (message, *library_view(), None, "")
            total = expected_articles(staged.paths, urls)
            progress((0, total), desc="Adding articles…", unit="articles")

            def on_progress(event: Progress) -> None:
                label = staged.names.get(event.label, event.label)
                progress((event.done, total), desc=f"Adding articles… {label}", unit="articles")

            try:
                options = replace(source_options(settings), uploads=staged.names)
                report = ingest(inputs, store, options, settings.chunk_chars, on_progress)
            except Exception as exc:
                log.exception("ingest failed")
                failed = render.notice_html(f"Nothing was added: {friendly_error(exc)}", "error")
                return (failed, *library_view(), None, gr.skip())
            finally:
                remove_staged(staged.paths)
        recs = records()
        titles = {r.id: r.title for r in recs}
        html = render.ingest_report_html(report, titles, rejected, staged.names)
        return (html, *library_view(), None, "")

    def select_article(evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        if len(row) < len(COLUMNS):
            notice = render.notice_html("Select a row to delete it.")
            return None, notice, gr.Button(interactive=False)
        title, source, day, article_id = row[0], row[1], row[2], row[-1]
        label = " · ".join(str(x) for x in (title, source, day) if x)
        return (
            str(article_id),
            render.notice_html(f"Selected: {label}"),
            gr.Button(interactive=True),
        )

    def delete_article(article_id: str | None) -> tuple[Any, ...]:
        if not article_id:
            notice = render.notice_html("Select an article in the table first.", "error")
        else:
            try:
                record = store.record(article_id)
                name = record.title if record else article_id
                if store.delete(article_id):
                    notice = render.notice_html(f"Deleted “{name}” and its chunks.", "ok")
                else:
                    notice = render.notice_html(f"“{name}” was already gone.", "error")
            except Exception as exc:
                log.exception("delete failed")
                notice = render.notice_html(f"Could not delete: {friendly_error(exc)}", "error")
        return (None, notice, gr.Button(interactive=False), *library_view())

    # -- layout ---------------------------------------------------------------------------

    default_backend = settings.llm
    upload_limit = human_bytes(settings.max_bytes)
    with gr.Blocks(title=TITLE, fill_width=False, analytics_enabled=False) as app:
        turns = gr.State([])
        selected = gr.State(None)
        warm_timer = gr.Timer(2.0, active=False)
        gr.Markdown(f"## {TITLE} · ask the news", elem_id="app-title")
        status_line = gr.HTML(elem_id="status-line")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                filters_line = gr.HTML(render.filters_banner(None), elem_id="filters-banner")
                with gr.Accordion("Filters: outlets and dates", open=False, elem_id="filters"):
                    with gr.Row():
                        outlet_box = gr.Dropdown(
                            choices=[],
                            value=[],
                            multiselect=True,
                            label="Outlets",
                            info="Only these outlets (none selected = all)",
                            elem_id="filter-outlets",
                            scale=2,
                        )
                        after_box = gr.Textbox(
                            label="From", placeholder="YYYY-MM-DD", elem_id="filter-after"
                        )
                        before_box = gr.Textbox(
                            label="Until", placeholder="YYYY-MM-DD", elem_id="filter-before"
                        )
                    clear_filters = gr.Button("Clear filters", size="sm", elem_id="clear-filters")
                chatbot = gr.Chatbot(
                    show_label=False,
                    height=440,
                    elem_id="chat",
                    sanitize_html=True,
                    render_markdown=False,
                    feedback_options=None,
                    # Its copy button would copy our HTML markup; selecting text works.
                    buttons=[],
                    placeholder=placeholder([]),
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask about the articles… (Enter to send)",
                        show_label=False,
                        elem_id="question",
                        scale=8,
                        autofocus=True,
                        max_lines=4,
                    )
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                    clear_chat = gr.Button("New chat", elem_id="new-chat", scale=1, min_width=80)
                sources_panel = gr.HTML(elem_id="sources")
            with gr.Tab("Library", id="library-tab"):
                library_summary = gr.HTML(elem_id="library-summary")
                table = gr.Dataframe(
                    headers=COLUMNS,
                    datatype=DATATYPES,
                    value=[],
                    interactive=False,
                    show_search="search",
                    max_height=420,
                    wrap=True,
                    elem_id="library-table",
                    column_widths=["34%", "15%", "12%", "9%", "16%", "14%"],
                )
                with gr.Row():
                    selection = gr.HTML(
                        render.notice_html("Click a row to select an article."),
                        elem_id="selection",
                    )
                    delete = gr.Button(
                        "Delete selected", variant="stop", interactive=False, elem_id="delete"
                    )
                gr.Markdown("### Add articles")
                with gr.Row():
                    upload = gr.File(
                        file_count="multiple", type="filepath", label="Files", elem_id="upload"
                    )
                    urls = gr.Textbox(
                        lines=4,
                        label="Article or feed URLs (one per line)",
                        placeholder="https://example.com/news/story.html\n"
                        "https://example.com/feed.xml",
                        elem_id="urls",
                    )
                gr.Markdown(
                    f"Files: {supported_types()} (JSON Lines: one article per line), up to "
                    f"{upload_limit} each. Re-adding a changed file or page updates its "
                    "article; unchanged ones are skipped.",
                    elem_id="upload-help",
                )
                add = gr.Button("Add to library", variant="primary", elem_id="add")
                report = gr.HTML(elem_id="ingest-report")
                build_feeds_section(settings)
            with gr.Tab("Timeline", id="timeline-tab"):
                build_timeline_tab(settings)
            with gr.Tab("Settings", id="settings-tab"):
                backend_choice = gr.Radio(
                    choices=[(BACKEND_LABELS[b], b) for b in LLM_BACKENDS],
                    value=default_backend,
                    label="Answer with",
                    info="Applies to your session only.",
                    elem_id="backend",
                )
                k_slider = gr.Slider(
                    1,
                    MAX_K,
                    value=min(settings.top_k, MAX_K),
                    step=1,
                    label="Passages to search per question",
                    elem_id="top-k",
                )
                as_of_box = gr.Textbox(
                    label="Answer as of",
                    placeholder="YYYY-MM-DD (empty: today)",
                    info="The day questions are asked on: \"last week\" counts from it, "
                    "later articles are left out.",
                    elem_id="as-of",
                )
                settings_status = gr.HTML(elem_id="settings-status")
                gr.Markdown(
                    f"Server: {settings.concurrency} answer(s) at a time; "
                    f"up to {settings.concurrency * QUEUE_PER_WORKER} waiting. "
                    f"Uploads up to {upload_limit}."
                )

        filter_inputs = [outlet_box, after_box, before_box]
        chat_inputs = [box, chatbot, turns, *filter_inputs, backend_choice, k_slider, as_of_box]
        chat_outputs = [chatbot, sources_panel, box, turns]
        for trigger in (box.submit, ask.click):
            trigger(
                respond,
                chat_inputs,
                chat_outputs,
                concurrency_limit=settings.concurrency,
                concurrency_id="answer",
                show_progress="hidden",
            )
        chatbot.select(show_turn, [turns], [sources_panel], queue=False)
        # The chat's own trash button clears the messages; forget the turns with them.
        chatbot.clear(new_chat, None, [chatbot, sources_panel, turns, box], queue=False)
        clear_chat.click(new_chat, None, [chatbot, sources_panel, turns, box], queue=False)
        gr.on(
            [outlet_box.change, after_box.change, before_box.change],
            banner,
            filter_inputs,
            [filters_line],
            queue=False,
        )
        clear_filters.click(lambda: ([], "", ""), None, filter_inputs, queue=False)

        library_outputs = [table, library_summary, outlet_box, chatbot]
        add.click(
            add_articles,
            [upload, urls],
            [report, *library_outputs, upload, urls],
            concurrency_limit=1,
            concurrency_id="ingest",
        ).then(banner, filter_inputs, [filters_line], queue=False).then(
            statuses, [backend_choice], [status_line, settings_status], queue=False
        )
        table.select(select_article, None, [selected, selection, delete], queue=False)
        delete.click(
            delete_article,
            [selected],
            [selected, selection, delete, *library_outputs],
            concurrency_limit=1,
            concurrency_id="ingest",
        ).then(banner, filter_inputs, [filters_line], queue=False)

        backend_choice.change(
            statuses, [backend_choice], [status_line, settings_status], queue=False
        )
        app.load(
            on_load,
            [backend_choice, *filter_inputs],
            [*library_outputs, status_line, settings_status, filters_line, warm_timer],
            queue=False,
        )
        # Until the models are loaded the status says so, then the timer stops.
        warm_timer.tick(
            while_warming, [backend_choice], [status_line, settings_status, warm_timer], queue=False
        )
    return app


# -- serving ---------------------------------------------------------------------------


def check_bind(settings: Settings) -> str | None:
    """Why the bind address is refused (``None`` when fine): non-loopback needs auth.

    The rule lives in :mod:`ui.bind` (``newsqa serve`` checks it without Gradio)."""
    from ui.bind import check_bind as bind_problem

    return bind_problem(settings)


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` (shared by ``newsqa chat`` and tests)."""
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    system = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth,
        auth_message="newsqa: sign in with the user and password the server was started with.",
        share=False,
        show_error=False,
        quiet=True,
        max_file_size=settings.max_bytes,
        ssr_mode=False,
        mcp_server=False,
        footer_links=[],
        # System fonts: the default theme would ask Google Fonts, which offline
        # newsrooms cannot reach.
        theme=gr.themes.Soft(font=system, font_mono=["ui-monospace", "monospace"]),
        css=CSS,
        head=JS,
    )


def queue_options(settings: Settings) -> dict[str, int]:
    """Queue limits: ``NEWSQA_CONCURRENCY`` workers, a bounded line behind them."""
    return dict(
        default_concurrency_limit=settings.concurrency,
        max_size=settings.concurrency * QUEUE_PER_WORKER,
    )


def serve(settings: Settings, answerer: Any = None) -> int:
    """Run the chat server until interrupted (used by ``newsqa chat``)."""
    problem = check_bind(settings)
    if problem:
        print(f"newsqa: {problem}", file=sys.stderr)
        return 2
    backends = Backends(settings, answerer)
    threading.Thread(target=backends.warm_up, name="newsqa-warm-up", daemon=True).start()
    app = build_app(settings, backends=backends)
    app.queue(**queue_options(settings))
    where = f"http://{settings.host}:{settings.port}"
    print(f"newsqa chat on {where}" + (" (sign-in required)" if settings.auth else ""), flush=True)
    # One server: the HTTP API under /v1 (docs at /docs), the chat mounted at /.
    from ui.api import build_api
    from ui.server import run

    print(f"newsqa API on {where}/v1; OpenAPI docs at {where}/docs", flush=True)
    api = build_api(settings, backends.get(settings.llm))
    run(gr.mount_gradio_app(api, app, path="/", **mount_options(settings)), settings)
    return 0


def mount_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``gr.mount_gradio_app``: :func:`launch_options` less what
    only ``launch`` takes."""
    launch_only = ("share", "quiet")
    return {k: v for k, v in launch_options(settings).items() if k not in launch_only}
