"""LangChain-native: NewsRetriever in a user's own LCEL chain, and the answer chain's
named steps seen by callbacks, streamed and invoked alike."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from newsqa.settings import Settings
from rag.answer import Answerer
from rag.retrieve import Retriever
from rag.retriever import NewsRetriever
from rag.types import Answer, Retrieval
from tests.rag.test_answer import G7, RecordingFake, _fake
from vectorstore.store import Store


class StepNames(BaseCallbackHandler):
    """Remembers the name of every chain run started."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def on_chain_start(
        self, serialized: Any, inputs: Any, *, run_id: UUID, name: str | None = None, **kw: Any
    ) -> None:
        self.names.append(name or kw.get("metadata", {}).get("name", ""))


def test_news_retriever_in_a_plain_lcel_chain(seeded: tuple[Settings, Store]) -> None:
    _, store = seeded
    news = NewsRetriever(retriever=Retriever(store), k=3)
    docs = news.invoke(G7)
    assert docs and "46 billion" in docs[0].page_content
    meta = docs[0].metadata
    assert {"article_id", "title", "source", "url", "published_at", "chunk_id", "start", "end", "score"} <= set(meta)
    assert news.invoke(G7, k=1) and len(news.invoke(G7, k=1)) == 1  # per-call config

    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context."), ("human", "{context}\n\nQuestion: {question}")]
    )
    fake = _fake("The G7 agreed a €46 billion loan.")
    chain = (
        {"context": news | (lambda ds: "\n".join(d.page_content for d in ds)), "question": RunnablePassthrough()}
        | prompt
        | fake
        | StrOutputParser()
    )
    assert chain.invoke(G7) == "The G7 agreed a €46 billion loan."
    assert "46 billion" in fake.prompts[-1]  # the seed's G7 passage reached the model


def test_answer_chain_streams_and_names_each_step(seeded: tuple[Settings, Store]) -> None:
    settings, store = seeded
    fake: RecordingFake = _fake(
        "The G7 agreed to provide a €46 billion loan package for Ukraine.",
        "The G7 agreed to provide a €46 billion loan package for Ukraine.",
    )
    answerer = Answerer(settings, llm=fake, retriever=Retriever(store))  # type: ignore[arg-type]
    seen = StepNames()
    events = list(answerer.chain.stream({"question": G7}, {"callbacks": [seen]}))
    assert isinstance(events[0], Retrieval) and isinstance(events[-1], Answer)
    assert all(isinstance(e, str) for e in events[1:-1]) and len(events) > 2
    assert events[-1].citations and "46 billion" in events[-1].citations[0].quote
    for step in ("newsqa_answer", "understand", "retrieve", "evidence", "generate", "verify_and_cite"):
        assert step in seen.names, (step, seen.names)
    invoked = answerer.chain.invoke(G7)
    assert isinstance(invoked, Answer) and invoked.text == events[-1].text
