"""The real Gradio app served in this process on a free loopback port, and a client
helper that asks a question the way the browser does (the ``/respond`` endpoint)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from newsqa.settings import Settings
from tests.conftest import free_port

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_ERROR = 'class="error"'


@dataclass
class Reply:
    """What one question through the app gave: the answer bubble and sources panel."""

    answer_html: str
    sources_html: str
    seconds: float

    @property
    def error(self) -> str | None:
        """The error shown instead of an answer, if any."""
        return self.answer_html if _ERROR in self.answer_html else None

    @property
    def quotes(self) -> list[str]:
        """The cited passages' highlighted quotes, as plain text."""
        return [html.unescape(q) for q in _MARK.findall(self.sources_html)]


@contextmanager
def served_app(settings: Settings, answerer: Any = None) -> Iterator[str]:
    """Serve ``ui.app`` for ``settings`` (queue and limits as ``newsqa chat`` sets them);
    yields its URL."""
    from ui.app import build_app, launch_options, queue_options

    settings = settings.with_(port=free_port(), host="127.0.0.1")
    app = build_app(settings, answerer)
    app.queue(**queue_options(settings))
    options = launch_options(settings)
    options["prevent_thread_lock"] = True
    app.launch(**options)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        app.close()


def client(url: str) -> Any:
    """A ``gradio_client`` for the app (one per simulated user)."""
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def ask(
    gradio: Any, question: str, backend: str = "extractive", k: int = 6, timeout: float = 300.0
) -> Reply:
    """Ask through ``/respond`` (a fresh chat) and wait for the final answer."""
    started = time.perf_counter()
    job = gradio.submit(question, [], [], "", "", backend, k, "", api_name="/respond")
    chat, sources, _ = job.result(timeout=timeout)
    seconds = time.perf_counter() - started
    last = chat[-1] if chat else {}
    content = last.get("content") if isinstance(last, dict) else last
    return Reply(str(content or ""), str(sources or ""), seconds)
