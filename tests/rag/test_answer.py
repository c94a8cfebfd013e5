"""The answer chain with a fake chat model: streaming, citations, declines, follow-ups."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable

from newsqa.settings import Settings
from rag.answer import Answerer, answer_chain, previous_questions
from rag.cite import strip_markers
from rag.retrieve import Retriever
from rag.types import DECLINE_TEXT, Answer, Retrieval
from tests.rag.conftest import body_of_seed
from vectorstore.store import Store

G7 = "How large is the G7 loan package for Ukraine?"


class RecordingFake(GenericFakeChatModel):
    """Fake chat model that remembers the prompts it was given."""

    prompts: list[str] = []

    def _generate(self, messages, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Streaming goes through _generate too, so every call is recorded once.
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return super()._generate(messages, *args, **kwargs)


def _fake(*replies: str) -> RecordingFake:
    return RecordingFake(messages=iter([AIMessage(content=r) for r in replies]), prompts=[])


def _answerer(seeded: tuple[Settings, Store], llm: object) -> Answerer:
    settings, store = seeded
    return Answerer(settings, llm=llm, retriever=Retriever(store))  # type: ignore[arg-type]


def test_stream_yields_sources_then_tokens_then_cited_answer(
    seeded: tuple[Settings, Store],
) -> None:
    fake = _fake("The G7 agreed to provide a €46 billion loan package for Ukraine [3].")
    events = list(_answerer(seeded, fake).stream(G7))

    assert isinstance(events[0], Retrieval) and events[0].passages
    pieces = [e for e in events if isinstance(e, str)]
    assert len(pieces) > 3, "text arrives in pieces"
    final = events[-1]
    assert isinstance(final, Answer) and not final.declined
    assert "46" in final.text and "[1]" in final.text and "[3]" not in final.text
    quote = final.citations[0].quote
    assert "46 billion" in quote
    body = body_of_seed()
    assert body[final.citations[0].start : final.citations[0].end] == quote
    # The prompt carries evidence sentences, not whole chunks, and the question.
    prompt = fake.prompts[0]
    assert "46 billion" in prompt and G7 in prompt and "<evidence>" in prompt
    assert len(prompt) < 2000


def test_irrelevant_question_is_declined_without_calling_the_model(
    seeded: tuple[Settings, Store],
) -> None:
    fake = _fake("should never be used")
    result = _answerer(seeded, fake).answer("Who won the 2022 FIFA World Cup?")
    assert result.declined and result.citations == [] and result.text == DECLINE_TEXT
    assert fake.prompts == []


def test_model_saying_not_covered_is_a_decline(seeded: tuple[Settings, Store]) -> None:
    result = _answerer(seeded, _fake("NOT COVERED")).answer("What did Biden sign with Zelenskyy?")
    assert result.declined and result.citations == []


def test_follow_up_is_rewritten_before_retrieval(seeded: tuple[Settings, Store]) -> None:
    fake = _fake(
        "What did NATO say about Putin's ceasefire offer?",
        "NATO Secretary-General Jens Stoltenberg rejected Putin's offer.",
    )
    history = [
        {"role": "user", "content": "What did Putin offer Ukraine?"},
        {"role": "assistant", "content": "An immediate ceasefire."},
    ]
    result = _answerer(seeded, fake).answer("and what did NATO say?", history)
    assert result.standalone_question == "What did NATO say about Putin's ceasefire offer?"
    assert "Rewrite the follow-up" in fake.prompts[0]
    assert any("Stoltenberg" in c.quote for c in result.citations)


def test_extractive_backend_quotes_evidence(seeded: tuple[Settings, Store]) -> None:
    result = _answerer(seeded, None).answer(G7)
    assert result.backend == "extractive"
    assert "€46 billion loan package" in result.text
    assert result.citations and result.citations[0].quote in strip_markers(result.text)


def test_answer_chain_is_a_runnable(seeded: tuple[Settings, Store]) -> None:
    settings, _ = seeded
    chain = answer_chain(settings, llm=None)
    assert isinstance(chain, Runnable)
    results = chain.batch([G7, {"question": "Who won the 2022 FIFA World Cup?"}])
    assert "46" in results[0].text and results[1].declined


def test_history_formats() -> None:
    assert previous_questions([("q1", "a1"), {"role": "user", "content": "q2"}, "q3"]) == [
        "q1",
        "q2",
        "q3",
    ]
    assert previous_questions(None) == []
