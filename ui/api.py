"""The HTTP API: an OpenAI-compatible chat endpoint and newsqa's own endpoints.

``build_api(settings)`` returns a FastAPI app (``newsqa serve`` runs it; ``newsqa
chat`` mounts the Gradio chat on it). Blocking work (retrieval, the model, the store)
runs in the thread pool, so the event loop never waits on it; answers run
``NEWSQA_CONCURRENCY`` at a time (:class:`ui.gate.Gate`), and the models lock their
own generation. Sign-in, the Host check and body limits are :mod:`ui.api_guard`'s.

Every error is JSON in OpenAI's shape: ``{"error": {"message", "type", "param",
"code"}}``, with a 4xx status for what the client can fix and 503 when the server is
busy or a model cannot be loaded.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Generator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsqa import __version__
from newsqa.settings import Settings
from rag.query import check_question
from rag.types import Answer, Passage
from ui.api_guard import LOOPBACK_NAMES, Guard
from ui.api_models import MAX_K, AnswerRequest, ArticlesRequest, AskOptions, HistoryMessage
from ui.gate import Busy, Gate
from ui.openai_compat import (
    MODEL_ID,
    ChatCompletionRequest,
    RequestProblem,
    chunk,
    completion,
    error_body,
    model_card,
    new_id,
    newsqa_fields,
    question_and_history,
    sse,
    text_pieces,
)
from ui.plaintext import answer_text, passage_dict

log = logging.getLogger(__name__)

# Largest body of a question (chat completions, answer): far above any real one.
QUESTION_BODY_LIMIT = 1_000_000
# Requests waiting per answer slot before new ones get 503 (the chat's queue allows
# as many).
QUEUE_PER_SLOT = 64
# Seconds without output after which a stream sends an SSE comment, so proxies and
# clients do not time out while the model is still reading.
KEEPALIVE_S = 10.0
# How long an ingest or delete waits for another writer before answering 503.
WRITE_WAIT_S = 30.0
RETRY_AFTER_S = "5"
_END = object()

DESCRIPTION = """\
Question answering over the ingested news articles; every claim cites a quoted passage.

* `POST /v1/chat/completions` is OpenAI-compatible (model `newsqa`, streaming or not):
  point any OpenAI client or chat UI at `http://HOST:PORT/v1`. The answer's `[n]`
  markers refer to a "Sources:" list at the end of the message and to the
  `citations` field of the completion (and of the last streamed chunk).
* `POST /v1/answer`, `GET /v1/search`, `GET|POST /v1/articles`,
  `DELETE /v1/articles/{id}` are newsqa's own.

With `--auth user:password` (required off-host) send `Authorization: Bearer <password>`
or HTTP Basic `user:password`. Errors are `{"error": {"message", "type", "param", "code"}}`.
"""


class APIError(Exception):
    """A request that fails with ``status``; the body is OpenAI's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, type_, param, code)
        self.headers = headers

    def response(self) -> JSONResponse:
        """The JSON response for this error."""
        return JSONResponse(self.body, self.status, headers=self.headers)


def as_api_error(exc: BaseException, param: str | None = None) -> APIError:
    """The API's answer to a failure: 400 for a bad question or value, 503 when busy
    or a model or store cannot be used, 500 (logged) for anything unexpected.

    >>> from rag.query import QuestionError
    >>> e = as_api_error(QuestionError("the question is empty"), "messages")
    >>> e.status, e.body["error"]["param"]
    (400, 'messages')
    """
    from rag.llm import LLMError
    from rag.model_files import ModelFileError
    from vectorstore.store import StoreBusy, StoreError

    if isinstance(exc, APIError):
        return exc
    if isinstance(exc, RequestProblem):
        return APIError(400, str(exc), param=exc.param or param)
    if isinstance(exc, Busy | StoreBusy):
        retry = {"Retry-After": RETRY_AFTER_S}
        return APIError(503, str(exc), "server_busy", code="busy", headers=retry)
    if isinstance(exc, LLMError | ModelFileError | StoreError):
        return APIError(503, str(exc), "service_unavailable", code="unavailable")
    if isinstance(exc, ValueError):
        return APIError(400, str(exc), param=param)
    log.error("request failed", exc_info=exc)
    message = f"unexpected {type(exc).__name__} (details are in the server log)"
    return APIError(500, message, "server_error")


def validation_problem(exc: RequestValidationError) -> tuple[str, str | None]:
    """One line naming each bad field (``k: Input should be ...``) and the first
    field's name; a body that is not JSON, or not an object, says so."""
    problems: list[str] = []
    params: list[str] = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("body", "query"))
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "")
            return f"the request body is not valid JSON: {reason}".rstrip(": "), None
        if not where:
            if isinstance(error.get("input"), bytes | str):
                return "send the body as JSON, with 'Content-Type: application/json'", None
            return "the request body must be a JSON object", None
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
        params.append(where)
    return "; ".join(problems) or "invalid request", (params[0] if params else None)


class Service:
    """The blocking work behind the endpoints (run it in the thread pool)."""

    def __init__(self, settings: Settings, answerer: Any = None) -> None:
        self.settings = settings
        self._answerer = answerer

    @property
    def answerer(self) -> Any:
        """The :class:`~rag.answer.Answerer`: the one given, else the shared one."""
        from rag.answer import answerer_for

        return self._answerer or answerer_for(self.settings)

    @property
    def store(self) -> Any:
        """The vector store the answerer reads."""
        return self.answerer.retriever.store

    def warm_up(self) -> None:
        """Load the embedder, the index and the model before the first question."""
        try:
            self.answerer.retriever.retrieve("warm up", 1)
            _ = self.answerer.llm
        except Exception as exc:  # the first question reports the problem properly
            log.warning("warm-up failed: %s", exc)

    def events(
        self, question: str, history: list[HistoryMessage], options: AskOptions
    ) -> Generator[Any, None, None]:
        """The answer's events (see :meth:`rag.answer.Answerer.stream`)."""
        turns = [m.model_dump() for m in history]
        return self.answerer.stream(  # type: ignore[no-any-return]
            question, turns, k=options.k, where=options.filters(), as_of=options.as_of
        )

    def answer(self, question: str, history: list[HistoryMessage], options: AskOptions) -> Answer:
        """The finished answer."""
        final = None
        for event in self.events(question, history, options):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def search(self, query: str, k: int, options: AskOptions) -> list[Passage]:
        """The ``k`` best passages for ``query``."""
        retriever = self.answerer.retriever
        return retriever.retrieve(  # type: ignore[no-any-return]
            query, k, options.filters(), options.as_of
        )

    def ingest(self, request: ArticlesRequest) -> dict[str, Any]:
        """Ingest the request's records (through a temporary ``.jsonl``) and URLs."""
        from dataclasses import replace

        from ingest.pipeline import ingest
        from ui.cli import source_options
        from ui.library import parse_urls

        for i, url in enumerate(request.urls):
            _, refused = parse_urls(url)
            if refused or not url.strip():
                raise RequestProblem(
                    f"urls[{i}]: {url!r} is not an http:// or https:// URL", "urls"
                )
        with tempfile.TemporaryDirectory(prefix="newsqa-api-") as folder:
            inputs = [u.strip() for u in request.urls]
            options = source_options(self.settings)
            path = Path(folder) / "records.jsonl"
            if request.records:
                with path.open("w", encoding="utf-8") as out:
                    for record in request.records:
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                inputs.insert(0, str(path))
                # A stable input name: records posted again update what they stored.
                options = replace(options, uploads={str(path): "api-records.jsonl"})
            report = ingest(
                inputs,
                self.store,
                options,
                self.settings.chunk_chars,
                wait=WRITE_WAIT_S,
                replace=request.replace,
            )
            # Failures name "records:N" (the Nth record), not the temporary file.
            text = json.dumps(report.to_dict(), ensure_ascii=False)
            return json.loads(text.replace(json.dumps(str(path))[1:-1], "records"))

    def records(self) -> list[dict[str, Any]]:
        """The registry's records, one per article."""
        return [asdict(r) for r in self.store.iter_records()]

    def delete(self, article_id: str) -> bool:
        """Remove an article and its chunks; ``False`` when it was not stored."""
        return bool(self.store.delete(article_id, wait=WRITE_WAIT_S))


def body_limit(settings: Settings) -> Any:
    """``limit_for(method, path)``: the ingest endpoint takes ``settings.max_bytes``,
    the others :data:`QUESTION_BODY_LIMIT`.

    >>> body_limit(Settings(max_bytes=5))("POST", "/v1/articles")
    5
    """

    def limit_for(method: str, path: str) -> int:
        if method == "POST" and path.rstrip("/") == "/v1/articles":
            return settings.max_bytes
        return QUESTION_BODY_LIMIT

    return limit_for


def build_api(settings: Settings, answerer: Any = None) -> FastAPI:
    """The API app for ``settings``; ``answerer`` replaces the default one (the chat
    passes its own, so the model loads once).

    Example:
        >>> app = build_api(Settings(llm="extractive"))
        >>> sorted({r.path for r in app.routes if r.path.startswith("/v1")})[:3]
        ['/v1/answer', '/v1/articles', '/v1/articles/{article_id}']
    """
    service = Service(settings, answerer)
    gate = Gate(settings.concurrency, settings.concurrency * QUEUE_PER_SLOT)
    app = FastAPI(
        title="newsqa API",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = service
    hosts = LOOPBACK_NAMES | {settings.host.lower()}
    app.add_middleware(Guard, auth=settings.auth, limit_for=body_limit(settings), hosts=hosts)

    @app.exception_handler(APIError)
    async def api_error(request: Request, exc: APIError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = validation_problem(exc)
        return APIError(400, message, param=param).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else None
        return APIError(exc.status_code, str(exc.detail), code=code).response()

    async def run(param: str | None, func: Any, *args: Any) -> Any:
        try:
            return await run_in_threadpool(func, *args)
        except Exception as exc:
            raise as_api_error(exc, param) from exc

    async def answer_in_slot(
        param: str, question: str, history: list[HistoryMessage], options: AskOptions
    ) -> Answer:
        try:
            async with gate.slot():
                return await run_in_threadpool(service.answer, question, history, options)
        except Exception as exc:
            raise as_api_error(exc, param) from exc

    def checked(question: str, options: AskOptions, param: str) -> None:
        try:
            check_question(question)
        except ValueError as exc:
            raise as_api_error(exc, param) from exc
        try:
            options.filters()
        except ValueError as exc:
            raise as_api_error(exc, "after") from exc

    # -- OpenAI-compatible ---------------------------------------------------------

    @app.get("/v1/models", tags=["openai"], summary="The models: just `newsqa`")
    async def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card()]}

    @app.get("/v1/models/{model_id}", tags=["openai"], summary="One model")
    async def get_model(model_id: str) -> dict[str, Any]:
        if model_id != MODEL_ID:
            raise _no_model(model_id)
        return model_card()

    @app.post(
        "/v1/chat/completions",
        tags=["openai"],
        summary="Answer the last user message, OpenAI-style (streaming or not)",
        response_description="A `chat.completion` (or, with `stream`, SSE chunks) with `citations`",
    )
    async def chat_completions(body: ChatCompletionRequest) -> Any:
        if body.model != MODEL_ID:
            raise _no_model(body.model)
        try:
            question, history = question_and_history(body.messages)
        except RequestProblem as exc:
            raise as_api_error(exc) from exc
        checked(question, body, "messages")
        if gate.full():
            raise as_api_error(Busy("the server is busy; retry in a few seconds"))
        if not body.stream:
            return completion(await answer_in_slot("messages", question, history, body))
        stream = _sse_stream(service, gate, question, history, body)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

    # -- newsqa's own ----------------------------------------------------------------

    @app.post("/v1/answer", tags=["newsqa"], summary="Answer a question: the full Answer")
    async def answer(body: AnswerRequest) -> dict[str, Any]:
        """The answer with its citations, the passages read, timings and notes
        (``rag.types.Answer`` as JSON)."""
        checked(body.question, body, "question")
        found = await answer_in_slot("question", body.question, body.history, body)
        return found.to_dict()

    @app.get("/v1/search", tags=["newsqa"], summary="The passages retrieved for a query")
    async def search(
        q: Annotated[str, Query(description="What to search for (like a question).")],
        k: Annotated[int, Query(ge=1, le=MAX_K, description="How many passages.")] = 6,
        sources: Annotated[list[str] | None, Query(description="Only these outlets.")] = None,
        after: Annotated[date | None, Query(description="Published on/after this day.")] = None,
        before: Annotated[date | None, Query(description="Published on/before it.")] = None,
        as_of: Annotated[date | None, Query(description="Nothing published later.")] = None,
    ) -> dict[str, Any]:
        options = AskOptions(k=k, sources=sources, after=after, before=before, as_of=as_of)
        checked(q, options, "q")
        passages = await run("q", service.search, q, k, options)
        return {"query": q.strip(), "passages": [passage_dict(p) for p in passages]}

    @app.get("/v1/articles", tags=["newsqa"], summary="The stored articles")
    async def list_articles() -> dict[str, Any]:
        records = await run(None, service.records)
        return {"count": len(records), "articles": records}

    @app.post("/v1/articles", tags=["newsqa"], summary="Ingest article records and/or URLs")
    async def add_articles(body: ArticlesRequest) -> dict[str, Any]:
        """Returns the ingest report (``newsqa ingest --json``): a failed record or URL
        is listed in ``failed`` with its reason; the others are stored."""
        if not body.records and not body.urls:
            raise APIError(400, "send 'records' (article objects) and/or 'urls'", param="records")
        return await run("urls", service.ingest, body)  # type: ignore[no-any-return]

    @app.delete("/v1/articles/{article_id}", tags=["newsqa"], summary="Remove an article")
    async def delete_article(article_id: str) -> dict[str, Any]:
        if not await run(None, service.delete, article_id):
            raise APIError(404, f"no article with id {article_id!r}", code="not_found")
        return {"deleted": article_id}

    return app


def _no_model(name: str) -> APIError:
    message = f"the model {name!r} does not exist: this server has one model, {MODEL_ID!r}"
    return APIError(404, message, param="model", code="model_not_found")


async def _sse_stream(
    service: Service,
    gate: Gate,
    question: str,
    history: list[HistoryMessage],
    options: AskOptions,
) -> AsyncIterator[str]:
    """The completion as server-sent events.

    The stream opens at once; the text follows once every sentence is checked against
    its quote (a sentence sent early could not be taken back), then a last chunk with
    ``finish_reason`` and the citations, then ``[DONE]``. A failure becomes an
    ``{"error": ...}`` event.
    """
    completion_id = new_id()
    yield sse(chunk(completion_id, {"role": "assistant", "content": ""}))
    final: Answer | None = None
    try:
        async with gate.slot():
            events = service.events(question, history, options)
            try:
                quiet_since = time.monotonic()
                while True:
                    event = await run_in_threadpool(next, events, _END)
                    if event is _END:
                        break
                    if isinstance(event, Answer):
                        final = event
                    elif time.monotonic() - quiet_since > KEEPALIVE_S:
                        quiet_since = time.monotonic()
                        yield ": keep-alive\n\n"
            finally:
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(events.close)
    except Exception as exc:
        yield sse(as_api_error(exc, "messages").body)
        yield sse("[DONE]")
        return
    assert final is not None
    for piece in text_pieces(answer_text(final)):
        yield sse(chunk(completion_id, {"content": piece}))
    yield sse(chunk(completion_id, {}, "stop", newsqa_fields(final)))
    yield sse("[DONE]")
