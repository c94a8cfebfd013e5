"""Browser-test fixtures: a fixture corpus, chat servers in subprocesses, Chromium.

Servers are real processes on free loopback ports; the browser is Debian's
``/usr/bin/chromium`` driven by the Playwright pip package (never ``playwright
install``). Each test gets a fresh browser context (a fresh Gradio session).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from newsqa.settings import Settings
from tests.conftest import free_port
from tests.ui.ui_corpus import ARTICLES, write_corpus
from tests.ui.ui_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    Server,
    copy_home,
    start_server,
)
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir holding the fixture corpus (servers work on copies of it)."""
    root = tmp_path_factory.mktemp("ui-corpus")
    corpus = write_corpus(root / "corpus.jsonl")
    home = root / "home"
    settings = Settings(home=home, llm="extractive", progress=False)
    report = ingest([str(corpus)], Store(settings, embedder), SourceOptions())
    assert len(report.added) == len(ARTICLES), report.details()
    return home


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory, corpus_home: Path) -> Iterator[Server]:
    """The real app with the scripted streaming model, over a copy of the corpus."""
    root = tmp_path_factory.mktemp("ui-server")
    home = copy_home(corpus_home, root / "home")
    port = free_port()
    args = [
        sys.executable,
        str(HERE / "serve_fixture.py"),
        "--port",
        str(port),
        "--home",
        str(home),
        "--concurrency",
        "2",
    ]
    server = start_server(args, home, root / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh browser contexts; each records dialogs in ``page.dialogs``."""
    contexts: list[Any] = []

    def open_page(url: str, **context_options: Any) -> Any:
        context = browser.new_context(**{"viewport": VIEWPORT, **context_options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        dialogs: list[str] = []  # messages of alert/confirm/prompt dialogs the page opened

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.dialogs = dialogs
        page.goto(url, wait_until="load")
        return page

    yield open_page
    for context in contexts:
        context.close()


# -- the HTTP API (tests/ui/test_api*.py) ------------------------------------------------


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir holding the seed article (the G7 loan story); servers use copies."""
    from tests.conftest import SEED_FILE

    home = tmp_path_factory.mktemp("api-seed") / "home"
    settings = Settings(home=home, llm="extractive", progress=False)
    report = ingest([str(SEED_FILE)], Store(settings, embedder), SourceOptions())
    assert len(report.added) == 1, report.details()
    return home


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, seed_home: Path) -> Iterator[Server]:
    """A real ``newsqa serve`` (extractive backend) on a free loopback port."""
    root = tmp_path_factory.mktemp("api-server")
    home = copy_home(seed_home, root / "home")
    port = free_port()
    newsqa = Path(sys.executable).with_name("newsqa")
    args = [str(newsqa), "serve", "--port", str(port), "--llm", "extractive"]
    server = start_server(args, home, root / "server.log")
    yield server
    server.stop()
