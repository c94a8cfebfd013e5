"""``answer()``, ``stream_answer()`` and the LangChain Runnable behind them.

One pass: (rewrite a follow-up into a standalone question) -> retrieve -> decline if
nothing relevant -> pick evidence sentences -> generate (or quote, for the
extractive backend) -> attach citations by matching, never by trusting the model.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda

from newsqa.settings import Settings
from rag.cite import cite
from rag.evidence import Sentence, scored_sentences, select_evidence
from rag.llm import chat_model
from rag.names import expand_surnames
from rag.prompt import answer_messages, condense_messages, is_decline
from rag.retrieve import Retriever, retriever_for
from rag.types import DECLINE_TEXT, Answer, Filters, Passage, Retrieval

log = logging.getLogger(__name__)

# Below this cosine similarity (MiniLM) no passage is about the question.
MIN_SIMILARITY = 0.3
EXTRACTIVE_SENTENCES = 2
EXTRACTIVE_RELATIVE = 0.6
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|what about|how about|then)\b|\b(it|its|they|them|their|he|him|his|"
    r"she|her|this|that|these|those|there)\b",
    re.I,
)

History = Sequence[Any]
Event = str | Retrieval | Answer


@dataclass
class _Turn:
    question: str
    standalone: str
    passages: list[Passage]
    evidence: list[Sentence] = field(default_factory=list)
    decline_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


def previous_questions(history: History | None) -> list[str]:
    """The user's earlier questions from a chat history.

    Accepts ``[(user, bot), ...]`` pairs, ``[{"role": "user", "content": ...}, ...]``
    messages (Gradio's format) or plain strings.
    """
    out = []
    for item in history or []:
        if isinstance(item, dict):
            if item.get("role") == "user" and isinstance(item.get("content"), str):
                out.append(item["content"])
        elif isinstance(item, list | tuple) and item:
            out.append(str(item[0]))
        elif isinstance(item, str):
            out.append(item)
    return out


class Answerer:
    """Answers questions from one store with one backend; reusable across questions.

    Example:
        >>> a = Answerer(Settings.from_env(llm="extractive"))     # doctest: +SKIP
        >>> a.answer("How large is the G7 loan?").citations[0].quote  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings,
        llm: BaseChatModel | str | None = "auto",
        retriever: Retriever | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever or retriever_for(settings)
        self._llm_choice = llm
        self._llm: BaseChatModel | None = None
        self._llm_ready = False
        self._lock = threading.Lock()

    @property
    def llm(self) -> BaseChatModel | None:
        """The chat model in use (``None`` = extractive); created on first use."""
        with self._lock:
            if not self._llm_ready:
                self._llm = (
                    chat_model(self.settings) if self._llm_choice == "auto" else self._llm_choice  # type: ignore[assignment]
                )
                self._llm_ready = True
            return self._llm

    @property
    def backend(self) -> str:
        """Name of the backend answering."""
        if self._llm_choice == "auto":
            return self.settings.llm
        return "extractive" if self._llm_choice is None else type(self._llm_choice).__name__

    # -- steps ------------------------------------------------------------------------

    def standalone(self, question: str, history: History | None) -> str:
        """``question`` rewritten to stand alone when it follows up on ``history``."""
        earlier = previous_questions(history)
        if not earlier or not _FOLLOW_UP.search(question):
            return question
        llm = self.llm
        if llm is not None:
            try:
                rewritten = (llm | StrOutputParser()).invoke(condense_messages(earlier, question))
                rewritten = (
                    rewritten.strip().strip('"').splitlines()[0] if rewritten.strip() else ""
                )
                if 8 <= len(rewritten) <= 300:
                    return rewritten
            except Exception as exc:  # a failed rewrite must not fail the answer
                log.warning("could not rewrite the follow-up question: %s", exc)
        return f"{earlier[-1]} {question}"

    def prepare(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
    ) -> _Turn:
        """Rewrite, retrieve and choose evidence; the model is not called yet."""
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        started = time.perf_counter()
        standalone = self.standalone(question, history)
        rewrite_s = time.perf_counter() - started
        found = self.retriever.search(standalone, k or self.settings.top_k, where)
        turn = _Turn(question, standalone, found.passages, started=started)
        turn.timings["rewrite_s"] = rewrite_s
        turn.timings["retrieval_s"] = time.perf_counter() - started - rewrite_s
        if found.plan.unknown_outlets:
            # The question relies on what an outlet reported, and none of its articles
            # is ingested: whatever other outlets say cannot answer it.
            names = " or ".join(found.plan.unknown_outlets)
            turn.decline_note = f"No ingested article comes from {names}."
        elif self.relevant(found.passages):
            turn.evidence = select_evidence(standalone, found.passages)
        return turn

    @staticmethod
    def relevant(passages: list[Passage]) -> bool:
        """Whether retrieval found anything about the question at all."""
        return bool(passages) and max(p.similarity for p in passages) >= MIN_SIMILARITY

    def generate(self, turn: _Turn) -> Iterator[str]:
        """Stream the answer text for a prepared turn (no citations yet)."""
        if not turn.evidence:
            yield f"{DECLINE_TEXT} {turn.decline_note}".strip()
            return
        llm = self.llm
        if llm is None:
            yield extractive_text(turn.standalone, turn.passages)
            return
        messages = answer_messages(turn.standalone, turn.evidence)
        for piece in (llm | StrOutputParser()).stream(messages):
            if piece and "first_token_s" not in turn.timings:
                turn.timings["first_token_s"] = time.perf_counter() - turn.started
            yield piece

    def finish(self, turn: _Turn, text: str, fallback_reason: str | None = None) -> Answer:
        """Attach citations (or mark a decline) and time the whole answer."""
        turn.timings["total_s"] = time.perf_counter() - turn.started
        backend = "extractive" if fallback_reason else self.backend
        common = dict(
            question=turn.question,
            passages=turn.passages,
            standalone_question=turn.standalone,
            backend=backend,
            fallback_reason=fallback_reason,
            timings=turn.timings,
        )
        if not turn.evidence or is_decline(text):
            decline = f"{DECLINE_TEXT} {turn.decline_note}".strip()
            return Answer(text=decline, declined=True, **common)  # type: ignore[arg-type]
        text = expand_surnames(text, [p.text for p in turn.passages])
        cited = cite(text, turn.passages, preferred=turn.evidence)
        return Answer(text=cited.text, citations=cited.citations, **common)  # type: ignore[arg-type]

    # -- public -----------------------------------------------------------------------

    def stream(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
    ) -> Iterator[Event]:
        """Yield a :class:`Retrieval`, then text pieces, then the final :class:`Answer`."""
        turn = self.prepare(question, history, k, where)
        yield Retrieval(turn.question, turn.standalone, turn.passages)
        pieces: list[str] = []
        fallback = None
        try:
            for piece in self.generate(turn):
                pieces.append(piece)
                yield piece
        except Exception as exc:
            if self.settings.llm != "openai":
                raise
            # A remote model that is down, slow or breaks off mid-answer (a stall, a
            # garbled stream) must not leave the user empty-handed: the extractive
            # answer replaces any partial text.
            what = "stopped mid-answer" if pieces else "did not answer"
            fallback = f"the model server {what} ({type(exc).__name__}: {exc})"
            log.warning("%s; answering extractively", fallback)
            text = extractive_text(turn.standalone, turn.passages)
            pieces = [text]
            yield text
        yield self.finish(turn, "".join(pieces), fallback)

    def answer(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
    ) -> Answer:
        """The complete :class:`Answer` (see :meth:`stream`)."""
        final = None
        for event in self.stream(question, history, k, where):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final


def extractive_text(question: str, passages: list[Passage]) -> str:
    """The best supporting sentences, verbatim, in reading order (no model)."""
    ranked = scored_sentences(question, passages)[:EXTRACTIVE_SENTENCES]
    if not ranked or ranked[0][1] <= 0:
        return DECLINE_TEXT
    # A second sentence only when it is nearly as relevant as the best one.
    best = [s for s, score in ranked if score >= EXTRACTIVE_RELATIVE * ranked[0][1]]
    lead = best[0].passage.chunk_id
    best.sort(key=lambda s: (s.passage.chunk_id != lead, s.start))
    return " ".join(s.text for s in best)


_answerers: dict[Settings, Answerer] = {}
_answerers_lock = threading.Lock()


def _answerer(settings: Settings | None, llm: BaseChatModel | str | None) -> Answerer:
    settings = settings or Settings.from_env()
    if llm in ("local", "openai", "extractive"):
        settings, llm = settings.with_(llm=llm), "auto"
    if llm != "auto":
        return Answerer(settings, llm)
    with _answerers_lock:
        if settings not in _answerers:
            _answerers[settings] = Answerer(settings)
        return _answerers[settings]


def answer(
    question: str,
    history: History | None = None,
    *,
    settings: Settings | None = None,
    llm: BaseChatModel | str | None = "auto",
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
) -> Answer:
    """Answer ``question`` from the ingested articles, with citations.

    ``llm`` is a backend name (``local``, ``openai``, ``extractive``), a LangChain chat
    model, or ``"auto"`` (``settings.llm``). ``where`` narrows retrieval (see
    :class:`rag.types.Filters`).

    Example:
        >>> from rag import answer
        >>> a = answer("How large is the G7 loan package for Ukraine?")  # doctest: +SKIP
        >>> a.text                                                     # doctest: +SKIP
        'The G7 agreed a €46 billion loan package for Ukraine. [1]'
        >>> a.citations[0].quote                                       # doctest: +SKIP
    """
    return _answerer(settings, llm).answer(question, history, k, where)


def stream_answer(
    question: str,
    history: History | None = None,
    *,
    settings: Settings | None = None,
    llm: BaseChatModel | str | None = "auto",
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
) -> Iterator[Event]:
    """Like :func:`answer`, streaming: a :class:`Retrieval` (the sources, before the
    model starts), then text pieces as they are generated, then the :class:`Answer`.

    Example:
        >>> for event in stream_answer("Who rejected Putin's offer?"):  # doctest: +SKIP
        ...     if isinstance(event, str):
        ...         print(event, end="")
    """
    return _answerer(settings, llm).stream(question, history, k, where)


def answer_chain(
    settings: Settings | None = None, llm: BaseChatModel | str | None = "auto"
) -> Runnable[Any, Answer]:
    """The answer pipeline as a LangChain Runnable: ``str | {"question", "history",
    "where"} -> Answer``, composed of a retrieval step and a generation step.

    Example:
        >>> chain = answer_chain()                                       # doctest: +SKIP
        >>> chain.invoke({"question": "Who slammed Putin's offer?"}).citations  # doctest: +SKIP
        >>> chain.batch(["q1", "q2"])                                    # doctest: +SKIP
    """
    answerer = _answerer(settings, llm)

    def retrieve_step(inputs: Any) -> _Turn:
        if isinstance(inputs, str):
            inputs = {"question": inputs}
        return answerer.prepare(
            inputs["question"], inputs.get("history"), inputs.get("k"), inputs.get("where")
        )

    def generate_step(turn: _Turn) -> Answer:
        return answerer.finish(turn, "".join(answerer.generate(turn)))

    return RunnableLambda(retrieve_step, name="retrieve") | RunnableLambda(
        generate_step, name="generate_and_cite"
    )
