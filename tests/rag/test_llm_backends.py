"""LLM backends: OpenAI-compatible (fake server), local GGUF (real models), extractive."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsqa.settings import Settings
from rag.answer import Answerer
from rag.llm import LlamaCppChat, LLMError, chat_model
from rag.retrieve import Retriever
from rag.types import Answer
from tests.conftest import free_port
from tests.rag.conftest import FakeOpenAI
from vectorstore.store import Store

G7 = "How large is the G7 loan package for Ukraine?"


def _openai_answerer(
    seeded: tuple[Settings, Store], base_url: str, timeout: float = 10
) -> Answerer:
    settings, store = seeded
    settings = settings.with_(
        llm="openai",
        openai_base_url=base_url,
        openai_model="fake-model",
        openai_api_key="sk-test",
        llm_timeout=timeout,
    )
    return Answerer(settings, retriever=Retriever(store))


def test_openai_backend_streams_from_a_compatible_server(
    seeded: tuple[Settings, Store], fake_openai: tuple[str, FakeOpenAI]
) -> None:
    url, fake = fake_openai
    events = list(_openai_answerer(seeded, url).stream(G7))
    pieces = [e for e in events if isinstance(e, str)]
    final = events[-1]
    assert len(pieces) > 3
    assert isinstance(final, Answer) and final.backend == "openai" and not final.fallback_reason
    assert "46" in final.text and any("46 billion" in c.quote for c in final.citations)
    request = fake.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "fake-model" and request["body"]["stream"] is True
    assert request["auth"] == "Bearer sk-test"
    assert "46 billion" in request["body"]["messages"][-1]["content"]


def test_openai_server_down_falls_back_to_a_labelled_extractive_answer(
    seeded: tuple[Settings, Store],
) -> None:
    final = _openai_answerer(seeded, f"http://127.0.0.1:{free_port()}/v1").answer(G7)
    assert final.backend == "extractive" and final.fallback_reason
    assert "did not answer" in final.fallback_reason
    assert final.citations and "46 billion" in final.citations[0].quote


def test_openai_slow_server_times_out_then_falls_back(
    seeded: tuple[Settings, Store], fake_openai: tuple[str, FakeOpenAI]
) -> None:
    url, fake = fake_openai
    fake.delay = 5
    started = time.perf_counter()
    final = _openai_answerer(seeded, url, timeout=0.5).answer(G7)
    assert time.perf_counter() - started < 5 * 2, "bounded by the timeout and one retry"
    assert final.fallback_reason and final.citations


def test_openai_garbage_reply_falls_back(
    seeded: tuple[Settings, Store], fake_openai: tuple[str, FakeOpenAI]
) -> None:
    url, fake = fake_openai
    fake.garbage = True
    final = _openai_answerer(seeded, url).answer(G7)
    assert final.fallback_reason and final.citations


def test_openai_backend_needs_an_address() -> None:
    with pytest.raises(LLMError, match="NEWSQA_OPENAI_BASE_URL"):
        chat_model(Settings(llm="openai"))


def test_extractive_backend_has_no_model() -> None:
    assert chat_model(Settings(llm="extractive")) is None


@pytest.mark.slow
def test_real_gguf_loads_and_streams_tokens(smollm_gguf: Path) -> None:
    chat = LlamaCppChat(model_path=str(smollm_gguf), n_ctx=512, n_threads=2, max_tokens=24)
    pieces = [c.content for c in chat.stream("Name three colours.")]
    assert len(pieces) >= 3, "tokens arrive one by one"
    assert "".join(str(p) for p in pieces).strip()


@pytest.mark.slow
def test_default_model_answers_g7_with_citation_and_declines_fifa(
    seeded: tuple[Settings, Store], default_gguf_path: Path
) -> None:
    settings, store = seeded
    answerer = Answerer(
        settings.with_(llm="local", gguf=default_gguf_path), retriever=Retriever(store)
    )
    events = list(answerer.stream(G7))
    final = events[-1]
    assert isinstance(final, Answer) and not final.declined, final.text
    assert "46" in final.text
    assert any("46 billion" in c.quote for c in final.citations)
    assert final.timings["first_token_s"] < final.timings["total_s"]

    fifa = answerer.answer("Who won the 2022 FIFA World Cup?")
    assert fifa.declined and fifa.citations == []
