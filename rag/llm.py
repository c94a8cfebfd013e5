"""LLM backends: local GGUF (llama-cpp-python), any OpenAI-compatible server, or none.

Every backend is a LangChain chat model, so the answer chain composes with any of
them (tests use LangChain's fake chat models). ``extractive`` means no model at all:
the answer is built from the evidence sentences themselves.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from newsqa.settings import Settings
from rag.model_files import DEFAULT_GGUF_SHA256, check_gguf, default_gguf

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_models: dict[tuple[str, int, int], Any] = {}
_models_lock = threading.Lock()


class LLMError(RuntimeError):
    """The language model could not be loaded or did not answer."""


def load_llama(path: Path, n_ctx: int, n_threads: int) -> Any:
    """A shared ``llama_cpp.Llama`` per (file, context, threads): loading takes seconds."""
    key = (str(path), n_ctx, n_threads)
    with _models_lock:
        if key not in _models:
            from llama_cpp import Llama

            try:
                _models[key] = Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    # A whole answer prompt (~350 tokens) is read in one batch.
                    n_batch=512,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMError(f"could not load the model {path}: {exc}") from None
        return _models[key]


@atexit.register
def _close_models() -> None:
    # Llama.__del__ at interpreter shutdown runs after llama_cpp's module globals are
    # gone and prints a TypeError traceback; closing while they exist is clean.
    with _models_lock:
        for model in _models.values():
            with contextlib.suppress(Exception):
                model.close()
        _models.clear()


class LlamaCppChat(BaseChatModel):
    """A local GGUF model as a LangChain chat model (streams tokens).

    The prompt prefix (system message) is identical across questions, and
    llama.cpp reuses the matching prefix of its KV cache, so only the new part of
    each prompt is read.

    Example:
        >>> chat = LlamaCppChat(model_path="model.gguf")          # doctest: +SKIP
        >>> chat.invoke("Say hi").content                          # doctest: +SKIP
    """

    model_path: str
    n_ctx: int = 2048
    n_threads: int = 2
    max_tokens: int = 160
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def _llama(self) -> Any:
        return load_llama(Path(self.model_path), self.n_ctx, self.n_threads)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [
                {"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages
            ],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self._llama()
        # One generation at a time per model: llama.cpp contexts are not thread-safe.
        with _lock_for(llama):
            request = self._request(messages, stop)
            if kwargs.get("max_tokens"):  # e.g. ``chat.bind(max_tokens=260)`` for summaries
                request["max_tokens"] = int(kwargs["max_tokens"])
            for event in llama.create_chat_completion(stream=True, **request):
                piece = event["choices"][0]["delta"].get("content") or ""
                if not piece:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk


_generation_locks: dict[int, threading.Lock] = {}


def _lock_for(llama: Any) -> threading.Lock:
    with _models_lock:
        return _generation_locks.setdefault(id(llama), threading.Lock())


def resolve_gguf(settings: Settings) -> Path:
    """The GGUF file to use: ``NEWSQA_GGUF`` if set, else the packaged default."""
    if settings.gguf:
        return check_gguf(settings.gguf)
    path = default_gguf(settings.models_dir)
    return check_gguf(path, DEFAULT_GGUF_SHA256)


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model for ``settings.llm`` (``None`` for the extractive backend).

    Example:
        >>> chat_model(Settings(llm="extractive")) is None
        True
    """
    if settings.llm == "extractive":
        return None
    if settings.llm == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.openai_base_url and not settings.openai_api_key:
            raise LLMError(
                "NEWSQA_LLM=openai needs NEWSQA_OPENAI_BASE_URL (Ollama, vLLM, llama.cpp "
                "server) or NEWSQA_OPENAI_API_KEY (OpenAI)"
            )
        return ChatOpenAI(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout,
            max_retries=1,
            temperature=0.0,
            max_completion_tokens=settings.max_tokens,
        )
    return LlamaCppChat(
        model_path=str(resolve_gguf(settings)),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads or max(1, os.cpu_count() or 1),
        max_tokens=settings.max_tokens,
    )


def describe(settings: Settings) -> str:
    """Which model answers, for status lines."""
    if settings.llm == "extractive":
        return "extractive (no LLM: quotes the best evidence)"
    if settings.llm == "openai":
        return f"{settings.openai_model} at {settings.openai_base_url or 'api.openai.com'}"
    name = settings.gguf.name if settings.gguf else "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
    return f"local GGUF {name}"
