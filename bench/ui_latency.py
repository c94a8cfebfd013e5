"""What a first-time user of ``newsqa chat`` waits for, measured in a real Chromium.

For each backend: seconds from starting ``newsqa chat`` to a usable page (the question
box visible); then, with the answering backends, seconds from pressing Enter to the
first source card, the first answer token and the finished answer, for a first
(cold) question asked as soon as the page is usable and a second (warm) one.

    .venv/bin/python bench/ui_latency.py                     # seeds/ store, both backends
    .venv/bin/python bench/ui_latency.py --backends local --gguf PATH

Prints one JSON object. Uses Debian's /usr/bin/chromium through the Playwright pip
package; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NEWSQA = shutil.which("newsqa", path=str(Path(sys.executable).parent)) or "newsqa"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
QUESTION = "How large is the G7 loan package for Ukraine?"
FOLLOW_UP = "Who rejected Putin's offer?"

# Timestamps (performance.now) of the first source card, first answer text and the
# final answer after window.__mark is set, observed on every DOM change.
OBSERVER = """
() => {
  window.__t = {};
  const seen = (k) => { if (window.__t[k] === undefined) window.__t[k] = performance.now(); };
  new MutationObserver(() => {
    if (window.__mark === undefined) return;
    const rows = document.querySelectorAll('#chat .bot-row');
    if (rows.length <= window.__rows) return;
    const last = rows[rows.length - 1];
    if (document.querySelector('#sources .sources[data-turn="' + window.__rows + '"] .source'))
      seen('source');
    const answer = last.querySelector('.answer');
    if (answer && !answer.querySelector('.status') && answer.innerText.replace('▍', '').trim())
      seen('token');
    if (last.querySelector('.answer:not(.streaming), .decline, .error')) seen('done');
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
"""


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    """Whether something accepts connections on ``port``."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def ensure_store(home: Path) -> None:
    """Ingest seeds/ into ``home`` unless it already holds articles."""
    if (home / "chroma").exists():
        return
    subprocess.run(
        [NEWSQA, "--home", str(home), "ingest", str(ROOT / "seeds"), "--no-progress"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ask(page: Any, question: str, timeout_s: float) -> dict[str, float | str]:
    """Press Enter on ``question``; seconds to first source, first token, done."""
    rows = page.locator("#chat .bot-row").count()
    box = page.locator("#question textarea")
    box.fill(question)
    start = page.evaluate(
        f"() => {{ window.__t = {{}}; window.__rows = {rows}; "
        "window.__mark = performance.now(); return window.__mark; }"
    )
    box.press("Enter")
    page.wait_for_function("() => window.__t.done !== undefined", timeout=timeout_s * 1000)
    marks = page.evaluate("window.__t")
    result: dict[str, float | str] = {
        f"{k}_s": round((v - start) / 1000, 2) for k, v in marks.items()
    }
    bubble = page.locator("#chat .bot-row").nth(rows)
    result["answer"] = bubble.inner_text().replace("▍", "").strip()[:300]
    return result


def measure(backend: str, home: Path, gguf: str | None, browser: Any, timeout_s: float) -> dict:
    """Start ``newsqa chat`` with ``backend``; time the page and two questions."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(
        NEWSQA_HOME=str(home),
        NEWSQA_LLM=backend,
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    if gguf:
        env["NEWSQA_GGUF"] = gguf
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [NEWSQA, "chat", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        result: dict[str, Any] = {"backend": backend}
        try:
            while not port_open(port):
                if proc.poll() is not None or time.perf_counter() - started > timeout_s:
                    log.seek(0)
                    raise RuntimeError(f"newsqa chat did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.05)
            result["port_open_s"] = round(time.perf_counter() - started, 2)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
            page.wait_for_selector("#question textarea", state="visible")
            result["usable_page_s"] = round(time.perf_counter() - started, 2)
            page.wait_for_selector("#status-text")
            result["status_line_s"] = round(time.perf_counter() - started, 2)
            result["status_line"] = page.locator("#status-text").inner_text()
            page.evaluate(OBSERVER)
            result["first_question"] = {"question": QUESTION, **ask(page, QUESTION, timeout_s)}
            result["second_question"] = {"question": FOLLOW_UP, **ask(page, FOLLOW_UP, timeout_s)}
            page.close()
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="data dir (default: a temp dir with seeds/)")
    parser.add_argument("--backends", default="extractive,local", help="comma-separated")
    parser.add_argument(
        "--gguf",
        default=os.environ.get("NEWSQA_GGUF")
        or str(ROOT / ".newsqa" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        help="model file for the local backend",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per step")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as tmp:
        home = args.home or Path(tmp) / "home"
        ensure_store(home)
        report: dict[str, Any] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average": os.getloadavg(),
            },
            "store": "seeds/",
            "runs": [],
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("NEWSQA_CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            try:
                for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
                    gguf = args.gguf if backend == "local" else None
                    report["runs"].append(measure(backend, home, gguf, browser, args.timeout))
            finally:
                browser.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
