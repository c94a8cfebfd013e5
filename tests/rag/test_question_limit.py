"""Questions are checked at every entry point: empty, over-long and binary questions
get a :class:`QuestionError` saying what to change, before any store or model is
opened."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from newsqa.settings import Settings
from rag.answer import Answerer, answer, answer_chain, stream_answer
from rag.query import MAX_QUESTION_CHARS, QuestionError, check_question

BAD = {
    "empty": ("   \n\t ", "the question is empty"),
    "too long": ("x" * 10_001, "the question is 10,001 characters long; the limit is 2,000"),
    "binary": ("\x00\x01\x02\x03\xff binary", r"contains control characters \(U\+0000"),
}


class Untouchable:
    """A retriever that fails the test if a bad question gets as far as searching."""

    def search(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a rejected question reached retrieval")


def _answerer(tmp_path: Path) -> Answerer:
    settings = Settings(home=tmp_path / "home", llm="extractive")
    return Answerer(settings, llm=None, retriever=Untouchable())  # type: ignore[arg-type]


def test_check_question_keeps_good_questions() -> None:
    assert check_question("  Who won?\n") == "Who won?"
    assert check_question("Line one\n\tline two?") == "Line one\n\tline two?"
    assert check_question("Qui a gagné à 中国 ? 🙂") == "Qui a gagné à 中国 ? 🙂"
    longest = "y" * MAX_QUESTION_CHARS
    assert check_question(f"  {longest}  ") == longest
    assert MAX_QUESTION_CHARS == 2000


@pytest.mark.parametrize("kind", list(BAD))
def test_check_question_says_what_to_change(kind: str) -> None:
    question, message = BAD[kind]
    with pytest.raises(QuestionError, match=message) as raised:
        check_question(question)
    assert isinstance(raised.value, ValueError)  # callers catching ValueError still do
    assert str(raised.value).startswith("the question ")


def test_the_limit_is_named_and_escape_sequences_are_refused() -> None:
    with pytest.raises(QuestionError, match=r"shorten it$"):
        check_question("a" * (MAX_QUESTION_CHARS + 1))
    with pytest.raises(QuestionError, match="U\\+001B at character 4"):
        check_question("Who\x1b[2J won?")
    with pytest.raises(QuestionError, match="U\\+D800"):
        check_question("half a surrogate \ud800")


@pytest.mark.parametrize("kind", list(BAD))
def test_answer_refuses_before_opening_the_store(kind: str, tmp_path: Path) -> None:
    question, message = BAD[kind]
    settings = Settings(home=tmp_path / "home", llm="extractive")
    with pytest.raises(QuestionError, match=message):
        answer(question, settings=settings)
    with pytest.raises(QuestionError, match=message):
        stream_answer(question, settings=settings)  # at the call, not at the first event
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("kind", list(BAD))
def test_answerer_and_chain_refuse(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question, message = BAD[kind]
    answerer = _answerer(tmp_path)
    with pytest.raises(QuestionError, match=message):
        answerer.answer(question)
    with pytest.raises(QuestionError, match=message):
        next(iter(answerer.stream(question)))
    module = importlib.import_module("rag.answer")  # (``rag.answer`` is also the function)
    monkeypatch.setattr(module, "_answerer", lambda settings, llm: answerer)
    chain = answer_chain(answerer.settings)
    with pytest.raises(QuestionError, match=message):
        chain.invoke({"question": question})
    with pytest.raises(QuestionError, match=message):
        chain.invoke(question)
