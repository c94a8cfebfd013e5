"""OpenAI's chat-completions shapes: the request, the completion, stream chunks, errors.

Only what newsqa needs from the `Chat Completions` format: the request's messages
(the last user message is the question, earlier ones the history) and newsqa's own
extra fields; the response's one choice, plus newsqa's ``citations`` and ``newsqa``
fields that OpenAI clients ignore and newsqa-aware ones read.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.types import Answer
from ui.api_models import AskOptions, HistoryMessage
from ui.plaintext import answer_text, citation_dict, strip_sources

MODEL_ID = "newsqa"
# The created time of the one model; any fixed time does.
MODEL_CREATED = 1_700_000_000


class ContentPart(BaseModel):
    """One part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str | None = None


class ChatMessage(BaseModel):
    """A message of the conversation (``system``, ``user``, ``assistant``, ``tool`` ...)."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text (text parts joined; other parts left out).

        >>> ChatMessage(role="user", content=[{"type": "text", "text": "Hi"}]).text()
        'Hi'
        """
        if isinstance(self.content, list):
            return "\n".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatCompletionRequest(AskOptions):
    """``POST /v1/chat/completions``: OpenAI's request, plus newsqa's optional fields
    ``as_of``, ``k``, ``sources``, ``after`` and ``before`` (see :class:`AskOptions`).

    Other OpenAI fields (``temperature``, ``max_tokens`` ...) are accepted and ignored:
    the server's settings decide how answers are written.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [
                        {"role": "user", "content": "How large is the G7 loan for Ukraine?"}
                    ],
                    "stream": False,
                }
            ]
        },
    )
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    n: int = Field(1, ge=1, le=1, description="Only one answer per request.")


class RequestProblem(ValueError):
    """A request newsqa cannot answer; ``param`` names the field to fix."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[HistoryMessage]]:
    """The question (the last message, a user's) and the earlier user and assistant
    messages as history; earlier answers lose their sources list.

    >>> q, h = question_and_history([
    ...     ChatMessage(role="system", content="Be brief."),
    ...     ChatMessage(role="user", content="Who?"),
    ...     ChatMessage(role="assistant", content="Altman [1].\\n\\nSources:\\n[1] T"),
    ...     ChatMessage(role="user", content="And then?")])
    >>> q, [(m.role, m.content) for m in h]
    ('And then?', [('user', 'Who?'), ('assistant', 'Altman [1].')])
    """
    last = messages[-1]
    if last.role != "user":
        raise RequestProblem(
            f"the last message must be the user's question, not a {last.role!r} message",
            "messages",
        )
    history = [
        HistoryMessage(role=m.role, content=strip_sources(m.text()))  # type: ignore[arg-type]
        for m in messages[:-1]
        if m.role in ("user", "assistant")
    ]
    return last.text(), history


def new_id() -> str:
    """A completion id like OpenAI's (``chatcmpl-`` and 24 hex digits)."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def model_card() -> dict[str, Any]:
    """The one model, as ``GET /v1/models`` lists it.

    >>> model_card()["id"]
    'newsqa'
    """
    return {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "newsqa"}


def newsqa_fields(answer: Answer) -> dict[str, Any]:
    """newsqa's extra fields on a completion: ``citations`` and ``newsqa`` (details).

    >>> sorted(newsqa_fields(Answer("Q?", "A."))["newsqa"])
    ['backend', 'declined', 'fallback_reason', 'notes', 'standalone_question']
    """
    return {
        "citations": [citation_dict(c) for c in answer.citations],
        "newsqa": {
            "declined": answer.declined,
            "standalone_question": answer.standalone_question,
            "backend": answer.backend,
            "fallback_reason": answer.fallback_reason,
            "notes": list(answer.notes),
        },
    }


def completion(answer: Answer, completion_id: str | None = None) -> dict[str, Any]:
    """The ``chat.completion`` object for a finished answer.

    >>> c = completion(Answer("Q?", "It rose."))
    >>> c["object"], c["choices"][0]["message"]["content"], c["citations"]
    ('chat.completion', 'It rose.', [])
    """
    return {
        "id": completion_id or new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer_text(answer)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        **newsqa_fields(answer),
    }


def chunk(
    completion_id: str,
    delta: dict[str, Any],
    finish_reason: Literal["stop"] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of a stream.

    >>> chunk("chatcmpl-1", {"content": "Hi"})["choices"][0]["delta"]
    {'content': 'Hi'}
    """
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        **(extra or {}),
    }


def sse(data: dict[str, Any] | str) -> str:
    """One server-sent event: ``data: {json}`` and a blank line.

    >>> sse({"a": 1}), sse("[DONE]")
    ('data: {"a": 1}\\n\\n', 'data: [DONE]\\n\\n')
    """
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n"


def error_body(
    message: str,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """An error in OpenAI's shape (every ``/v1`` error of newsqa looks like this).

    >>> error_body("the question is empty", param="messages")["error"]["type"]
    'invalid_request_error'
    """
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def text_pieces(text: str, size: int = 48) -> list[str]:
    """``text`` cut at spaces into pieces of about ``size`` characters, for a stream.

    >>> text_pieces("one two three four", size=8)
    ['one two ', 'three ', 'four']
    >>> "".join(text_pieces("a\\n\\nSources:\\n[1] T")) == "a\\n\\nSources:\\n[1] T"
    True
    """
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current}{word} "
        if current and len(candidate) > size:
            pieces.append(current)
            current = f"{word} "
        else:
            current = candidate
    pieces.append(current[:-1])
    return [p for p in pieces if p]
