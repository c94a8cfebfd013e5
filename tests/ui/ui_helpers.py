"""Helpers for the browser tests: server processes and page operations."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, wait_for_port
from tests.conftest import subprocess_env as server_env

CHROMIUM = os.environ.get("NEWSQA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
SERVER_START_TIMEOUT = 90.0


class Server:
    """A chat server process and where to reach it."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, home: Path, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.home = home
        self.log = log
        self.url = f"http://127.0.0.1:{port}/"

    def output(self) -> str:
        """What the server printed so far (for failure messages)."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Terminate the process (and only it)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(
    args: list[str], home: Path, log: Path, env: dict[str, str] | None = None
) -> Server:
    """Start ``args`` (which must bind 127.0.0.1 or 0.0.0.0 on the port in ``--port``)
    and wait until it accepts connections."""
    port = int(args[args.index("--port") + 1])
    out = log.open("wb")
    proc = subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, env=env or server_env(home), cwd=ROOT
    )
    out.close()
    server = Server(proc, port, home, log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{server.output()}")
            try:
                wait_for_port(port, timeout=1.0)
                return server
            except TimeoutError:
                continue
        raise TimeoutError(f"server not up after {SERVER_START_TIMEOUT} s:\n{server.output()}")
    except BaseException:
        server.stop()
        raise


def copy_home(corpus_home: Path, target: Path) -> Path:
    """A private copy of the corpus data dir, so a server may change it freely."""
    shutil.copytree(corpus_home, target)
    return target


# -- page helpers ---------------------------------------------------------------------

QUESTION = "#question textarea"

# Records, every animation frame, what the last answer bubble and the sources panel
# show, so a test can tell whether sources came before the answer was finished.
RECORDER = """
() => {
  window.__newsqa = [];
  const tick = () => {
    const rows = document.querySelectorAll('#chat .bot-row');
    const last = rows[rows.length - 1];
    const bubble = last ? last.querySelector('.answer, .decline, .error') : null;
    const answer = last ? last.querySelector('.answer') : null;
    window.__newsqa.push({
      t: Date.now(),
      rows: rows.length,
      streaming: !!(last && last.querySelector('.streaming')),
      text: answer && !answer.querySelector('.status') ? answer.innerText : '',
      bubble: bubble ? bubble.className : '',
      sources: document.querySelectorAll('#sources .source').length,
    });
    if (window.__newsqa.length < 20000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def open_chat(page: Any) -> None:
    """Wait until the chat is usable: the question box is visible and enabled."""
    page.wait_for_selector(QUESTION, state="visible")
    page.wait_for_selector("#status-text")


def bot_count(page: Any) -> int:
    """How many answer bubbles the chat shows."""
    return int(page.locator("#chat .bot-row").count())


def send(page: Any, question: str) -> int:
    """Type ``question`` and press Enter; returns the number of answers before it."""
    before = bot_count(page)
    box = page.locator(QUESTION)
    box.fill(question)
    box.press("Enter")
    return before


def wait_answer(page: Any, before: int, timeout: float = 60_000) -> Any:
    """Wait for answer number ``before + 1`` to be final; return its bubble."""
    page.wait_for_function(
        """n => { const rows = document.querySelectorAll('#chat .bot-row');
          if (rows.length <= n) return false; const last = rows[rows.length - 1];
          return !!last.querySelector('.answer:not(.streaming), .decline, .error'); }""",
        arg=before,
        timeout=timeout,
    )
    return page.locator("#chat .bot-row").nth(before)


def ask(page: Any, question: str, timeout: float = 60_000) -> Any:
    """Ask and wait for the final answer bubble."""
    return wait_answer(page, send(page, question), timeout)


def source_titles(page: Any) -> list[str]:
    """Titles of the cited source cards in the sources panel."""
    return [t.strip() for t in page.locator("#sources .source.cited .title").all_inner_texts()]


def panel_text(page: Any) -> str:
    """Everything the sources panel shows."""
    return str(page.locator("#sources").inner_text())


def in_viewport(page: Any, selector: str) -> bool:
    """Whether the element is (at least partly) inside the visible viewport."""
    return bool(
        page.evaluate(
            """s => { const r = document.querySelector(s).getBoundingClientRect();
              return r.bottom > 0 && r.top < window.innerHeight; }""",
            selector,
        )
    )


def open_tab(page: Any, name: str) -> None:
    """Switch to the tab called ``name``."""
    page.get_by_role("tab", name=name).click()


def table_titles(page: Any) -> list[str]:
    """The Title column of the library table, in displayed order."""
    cells = page.locator("#library-table [role=gridcell][data-col='0']")
    return [t.strip() for t in cells.all_inner_texts()]


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under docs/screenshots/ (overwriting)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
