"""A question that cannot be asked (empty, over-long, binary) gets its message, not a
traceback: ``newsqa ask`` exits 2 (bad usage) with it on stderr, the chat shows it as
a warning and keeps the question in the box to be edited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from newsqa.settings import Settings
from tests.conftest import ROOT, subprocess_env
from ui.app import build_app
from ui.cli import EXIT_USAGE

CASES = {
    "empty": ("  ", "newsqa: the question is empty: type a question about the articles"),
    "too long": (
        "x" * 10_001,
        "newsqa: the question is 10,001 characters long; the limit is 2,000: shorten it",
    ),
    # (argv cannot carry a NUL byte; other control characters get through)
    "binary": ("\x01\x02\x7f binary", "newsqa: the question contains control characters"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_ask_exits_2_with_the_message(kind: str, tmp_path: Path) -> None:
    question, message = CASES[kind]
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ask", question],
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path / "home", NEWSQA_LLM="extractive"),
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_chat_warns_and_keeps_the_question(tmp_path: Path) -> None:
    app = build_app(Settings(home=tmp_path / "home", llm="extractive"))
    respond = {fn.name: fn for fn in app.fns.values()}["respond"].fn
    for question, message in [
        ("x" * 10_001, "the question is 10,001 characters long; the limit is 2,000"),
        ("\x00\x01 binary", "the question contains control characters"),
    ]:
        with pytest.warns(UserWarning, match=message):  # gr.Warning outside a request
            updates = list(respond(question, [], [], [], "", "", "extractive", 5))
        # nothing changes: no chat bubble, no sources panel, the box keeps the text
        assert updates == [(gr.skip(),) * 4]
