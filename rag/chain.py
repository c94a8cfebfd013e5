"""The answer pipeline as one LangChain Runnable, a named child run per step.

``understand -> retrieve -> evidence -> generate -> verify_and_cite``: each step is a
``RunnableLambda`` with its name (generation is ``ANSWER_PROMPT | model | parser``), so
LangChain callbacks and tracing show every step and its timing. ``invoke`` returns the
cited :class:`rag.types.Answer`; ``stream`` yields what the chat shows as it happens:
the :class:`rag.types.Retrieval` (sources, before the model starts), text pieces, and
last the :class:`~rag.types.Answer`. ``answer()``, ``stream_answer()``, the CLI and the
browser chat all run this chain.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from rag.types import Answer, Filters, Retrieval

log = logging.getLogger(__name__)

Event = str | Retrieval | Answer


class Steps(Protocol):
    """What the chain runs (implemented by :class:`rag.answer.Answerer`)."""

    def understand(self, question: str, history: Any, as_of: Any) -> Any: ...

    def retrieve(self, turn: Any, k: int | None, where: Filters | dict[str, Any] | None) -> Any: ...

    def choose_evidence(self, turn: Any) -> Any: ...

    def generate(self, turn: Any, config: RunnableConfig | None = None) -> Iterator[str]: ...

    def fallback(self, turn: Any, error: Exception, partial: bool) -> tuple[str, str] | None: ...

    def finish(self, turn: Any, text: str, fallback_reason: str | None = None) -> Answer: ...


def question_inputs(value: Any) -> dict[str, Any]:
    """The chain's input as a dict: a question string, or ``{"question", "history",
    "where", "k", "as_of"}``.

    >>> question_inputs("Who won?")
    {'question': 'Who won?'}
    """
    if isinstance(value, str):
        return {"question": value}
    if isinstance(value, dict) and isinstance(value.get("question"), str):
        return value
    raise ValueError('the chain takes a question, or {"question": ..., "history": ...}')


class AnswerChain(Runnable[Any, Any]):
    """``str | {"question", "history", "where", "k", "as_of"} -> Answer``.

    Example:
        >>> chain = answer_chain()                                   # doctest: +SKIP
        >>> chain.invoke("Who rejected Putin's offer?").citations    # doctest: +SKIP
        >>> for event in chain.stream({"question": "And NATO?", "history": [...]}):
        ...     print(event)                                         # doctest: +SKIP
    """

    name = "newsqa_answer"

    def __init__(self, steps: Steps) -> None:
        self.steps = steps
        self.understand = RunnableLambda(self._understand, name="understand")
        self.retrieve = RunnableLambda(self._retrieve, name="retrieve")
        self.evidence = RunnableLambda(steps.choose_evidence, name="evidence")
        self.cite = RunnableLambda(self._cite, name="verify_and_cite")

    @property
    def InputType(self) -> Any:
        return dict[str, Any] | str

    @property
    def OutputType(self) -> Any:
        return Answer

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        final = None
        for event in self.stream(input, config, **kwargs):
            if isinstance(event, Answer):
                final = event
        assert final is not None, "the chain always ends with an Answer"
        return final

    def stream(  # type: ignore[override]
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Event]:
        yield from self._transform_stream_with_config(iter([input]), self._run, config)  # type: ignore[arg-type]

    # -- the steps -----------------------------------------------------------------

    def _understand(self, inputs: dict[str, Any]) -> dict[str, Any]:
        turn = self.steps.understand(inputs["question"], inputs.get("history"), inputs.get("as_of"))
        return {"turn": turn, "k": inputs.get("k"), "where": inputs.get("where")}

    def _retrieve(self, state: dict[str, Any]) -> Any:
        return self.steps.retrieve(state["turn"], state["k"], state["where"])

    def _cite(self, state: tuple[Any, str, str | None]) -> Answer:
        return self.steps.finish(*state)

    def _run(self, inputs: Iterator[Any], config: RunnableConfig) -> Iterator[Event]:
        for value in inputs:
            state = self.understand.invoke(question_inputs(value), config)
            turn = self.evidence.invoke(self.retrieve.invoke(state, config), config)
            yield Retrieval(turn.question, turn.standalone, turn.passages)
            pieces: list[str] = []
            fallback = None
            try:
                for piece in self.steps.generate(turn, config):
                    pieces.append(piece)
                    yield piece
            except Exception as exc:
                replacement = self.steps.fallback(turn, exc, bool(pieces))
                if replacement is None:
                    raise
                # The extractive answer replaces any partial text.
                fallback, text = replacement
                pieces = [text]
                yield text
            yield self.cite.invoke((turn, "".join(pieces), fallback), config)
