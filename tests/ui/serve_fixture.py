"""Serve the chat for browser tests with a fake model that streams word by word.

``python tests/ui/serve_fixture.py --port N --home DIR`` runs the real app
(:func:`ui.app.serve`) over the store in ``DIR``; only the chat model is replaced, by
:class:`ScriptedNewsModel`, which answers from the evidence it is given (like a real
model would) in several timed chunks, and rewrites follow-ups predictably.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from langchain_core.callbacks import CallbackManagerForLLMRun  # noqa: E402
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult  # noqa: E402

_EVIDENCE_LINE = re.compile(r"^\[\d+\][^:]*:\s*(.+)$", re.M)
_LEADING = re.compile(r"^(and|but|also|so|then)\b[\s,]*", re.I)
MAX_WORDS = 30


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else str(message.content)


class ScriptedNewsModel(BaseChatModel):
    """A deterministic chat model: condense prompts get a rewritten question, answer
    prompts get the first evidence sentence back, streamed a word at a time."""

    delay: float = 0.08

    @property
    def _llm_type(self) -> str:
        return "scripted-news"

    def reply(self, messages: list[BaseMessage]) -> str:
        """The whole reply for ``messages``."""
        system = _text(messages[0]) if messages else ""
        human = _text(messages[-1]) if messages else ""
        if system.startswith("Rewrite the follow-up"):
            earlier = re.findall(r"^Q: (.+)$", human, re.M)  # earlier turns: "Q: ..." / "A: ..."
            follow = human.rsplit("Follow-up:", 1)[-1].strip()
            core = _LEADING.sub("", follow).rstrip("?").strip()
            core = core[:1].upper() + core[1:]
            return f"{core} in response to: {earlier[-1].rstrip('?')}?"
        found = _EVIDENCE_LINE.search(human)
        if not found:
            return "NOT COVERED"
        first = re.split(r"(?<=[.!?])\s", found.group(1).strip())[0]
        return " ".join(first.split()[:MAX_WORDS])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self.reply(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        words = self.reply(messages).split(" ")
        for i, word in enumerate(words):
            time.sleep(self.delay)
            piece = word if i == 0 else " " + word
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def main(argv: list[str] | None = None) -> int:
    """Parse flags and serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.08, help="seconds between words")
    parser.add_argument("--max-bytes", type=int, default=200_000)
    args = parser.parse_args(argv)

    from newsqa.settings import Settings
    from rag.answer import Answerer
    from ui.app import serve

    settings = Settings(
        home=args.home,
        llm="local",
        port=args.port,
        concurrency=args.concurrency,
        max_bytes=args.max_bytes,
        progress=False,
    )
    answerer = Answerer(settings, llm=ScriptedNewsModel(delay=args.delay))
    return serve(settings, answerer)


if __name__ == "__main__":
    sys.exit(main())
