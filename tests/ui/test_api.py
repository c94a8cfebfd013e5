"""The HTTP API in process (FastAPI's test client): sign-in, the Host check, size limits,
bad input, the model-server outage fallback, and the article endpoints.

The store is real (the seed article, the real embedder); answers are extractive.
Real clients against a real ``newsqa serve`` are in ``test_api_clients.py``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from newsqa.settings import Settings
from rag.answer import Answerer
from rag.retrieve import Retriever
from tests.conftest import free_port
from tests.ui.ui_helpers import copy_home
from ui.api import QUESTION_BODY_LIMIT, as_api_error, build_api
from ui.gate import Busy, Gate
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

G7 = "How large is the G7 loan package for Ukraine?"
LOCAL = "http://127.0.0.1"


def chat_body(question: str = G7, **extra: Any) -> dict[str, Any]:
    return {"model": "newsqa", "messages": [{"role": "user", "content": question}], **extra}


@pytest.fixture
def make_client(
    seed_home: Path, tmp_path: Path, embedder: Embedder
) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: the API over a private copy of the seed store."""
    clients: list[TestClient] = []

    def make(base_url: str = LOCAL, **overrides: Any) -> TestClient:
        home = tmp_path / f"home{len(clients)}"
        copy_home(seed_home, home)
        settings = Settings(home=home, llm="extractive", progress=False).with_(**overrides)
        answerer = Answerer(settings, retriever=Retriever(Store(settings, embedder)))
        client = TestClient(build_api(settings, answerer), base_url=base_url)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return dict(body["error"])


# -- answers -------------------------------------------------------------------------


def test_completion_cites_the_seed(client: TestClient) -> None:
    got = client.post("/v1/chat/completions", json=chat_body())
    assert got.status_code == 200, got.text
    body = got.json()
    content = body["choices"][0]["message"]["content"]
    answer, _, sources = content.partition("\n\nSources:\n")
    assert "46 billion" in answer and "[1]" in answer
    assert sources.startswith("[1] Kyiv slams Putin's offer") and "“" in sources
    [citation] = body["citations"]
    assert citation["n"] == 1 and "46 billion" in citation["quote"]
    assert set(citation) >= {"n", "outlet", "published_at", "url", "title", "quote", "article_id"}
    assert body["newsqa"]["declined"] is False and body["newsqa"]["backend"] == "extractive"


def test_stream_is_sse_with_citations_on_the_last_chunk(client: TestClient) -> None:
    with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as got:
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in got.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines), lines
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "46 billion" in text and "\n\nSources:\n[1] " in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert "46 billion" in chunks[-1]["citations"][0]["quote"]
    assert len({c["id"] for c in chunks}) == 1


def test_answer_endpoint_returns_the_answer_object(client: TestClient) -> None:
    got = client.post("/v1/answer", json={"question": G7, "k": 3})
    assert got.status_code == 200, got.text
    body = got.json()
    assert "46 billion" in body["text"] and body["citations"][0]["n"] == 1
    assert body["passages"] and body["declined"] is False


def test_filters_and_history_are_passed_on(client: TestClient) -> None:
    # an outlet no article comes from: nothing to answer from
    got = client.post("/v1/chat/completions", json=chat_body(sources=["Nowhere Daily"]))
    assert got.json()["newsqa"]["declined"] is True and got.json()["citations"] == []
    # a follow-up is read with the earlier turn (its sources list is left out)
    first = client.post("/v1/chat/completions", json=chat_body()).json()
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": G7},
        first["choices"][0]["message"],
        {"role": "user", "content": "And who agreed to it?"},
    ]
    follow = client.post("/v1/chat/completions", json={"model": "newsqa", "messages": messages})
    assert follow.status_code == 200
    standalone = follow.json()["newsqa"]["standalone_question"]
    assert "G7" in standalone and "Sources" not in standalone


def test_search_returns_passages(client: TestClient) -> None:
    got = client.get("/v1/search", params={"q": "G7 loan for Ukraine", "k": 2})
    assert got.status_code == 200
    passages = got.json()["passages"]
    assert 1 <= len(passages) <= 2
    assert any("46 billion" in p["text"] for p in passages)
    assert set(passages[0]) >= {"article_id", "title", "outlet", "url", "text", "score"}


def test_models_and_docs(client: TestClient) -> None:
    assert client.get("/v1/models").json()["data"][0]["id"] == "newsqa"
    assert client.get("/v1/models/newsqa").json()["id"] == "newsqa"
    assert client.get("/v1/models/gpt-4o").status_code == 404
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/answer", "/v1/search", "/v1/articles"} <= set(paths)


# -- bad input -------------------------------------------------------------------------


def post_raw(client: TestClient, path: str, data: bytes, **headers: str) -> Any:
    return client.post(path, content=data, headers={"content-type": "application/json", **headers})


def test_malformed_json_is_400(client: TestClient) -> None:
    got = post_raw(client, "/v1/chat/completions", b'{"model": "newsqa", "messages": [')
    assert got.status_code == 400
    assert error(got)["message"].startswith("the request body is not valid JSON")
    got = post_raw(client, "/v1/answer", b"[1, 2]")
    assert got.status_code == 400 and "must be a JSON object" in error(got)["message"]
    got = client.post("/v1/answer", content=b'{"question": "x"}')  # no content type
    assert got.status_code == 400 and "Content-Type: application/json" in error(got)["message"]


def test_unknown_model_is_404_like_openai(client: TestClient) -> None:
    got = client.post("/v1/chat/completions", json={**chat_body(), "model": "gpt-4o"})
    assert got.status_code == 404
    problem = error(got)
    assert problem["code"] == "model_not_found" and problem["param"] == "model"
    assert "'gpt-4o' does not exist" in problem["message"] and "'newsqa'" in problem["message"]


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        (chat_body("   "), "messages", "the question is empty"),
        (chat_body("x" * 2001), "messages", "the limit is 2,000"),
        ({"model": "newsqa", "messages": []}, "messages", "at least 1 item"),
        ({"model": "newsqa"}, "messages", "Field required"),
        (
            {"model": "newsqa", "messages": [{"role": "assistant", "content": "Hi"}]},
            "messages",
            "the last message must be the user's question",
        ),
        (chat_body(k=0), "k", "greater than or equal to 1"),
        (chat_body(as_of="last tuesday"), "as_of", "valid date"),
        (chat_body(after="2024-06-02", before="2024-06-01"), "after", "later than before"),
        (chat_body(n=2), "n", "less than or equal to 1"),
    ],
)
def test_bad_chat_requests_are_400(
    client: TestClient, body: dict[str, Any], param: str, words: str
) -> None:
    got = client.post("/v1/chat/completions", json=body)
    assert got.status_code == 400, got.text
    problem = error(got)
    assert problem["type"] == "invalid_request_error" and problem["param"] == param
    assert words in problem["message"]


def test_bad_stream_requests_fail_before_the_stream(client: TestClient) -> None:
    got = client.post("/v1/chat/completions", json=chat_body("", stream=True))
    assert got.status_code == 400 and "empty" in error(got)["message"]


def test_empty_question_elsewhere_is_400(client: TestClient) -> None:
    got = client.post("/v1/answer", json={"question": ""})
    assert got.status_code == 400 and error(got)["param"] == "question"
    got = client.get("/v1/search", params={"q": " "})
    assert got.status_code == 400 and "empty" in error(got)["message"]
    got = client.get("/v1/search", params={"q": "G7", "k": 500})
    assert got.status_code == 400 and error(got)["param"] == "k"


def test_oversized_bodies_are_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_bytes=5_000)
    big = {"model": "newsqa", "messages": [{"role": "user", "content": "x" * QUESTION_BODY_LIMIT}]}
    got = client.post("/v1/chat/completions", json=big)
    assert got.status_code == 413
    assert "1,000,000-byte limit" in error(got)["message"]

    record = {"title": "Big", "body": "word " * 2_000}
    got = client.post("/v1/articles", json={"records": [record]})
    assert got.status_code == 413 and "5,000-byte limit" in error(got)["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield json.dumps({"records": [record]}).encode()

    got = client.post(
        "/v1/articles", content=chunks(), headers={"content-type": "application/json"}
    )
    assert got.status_code == 413


# -- sign-in and the Host check ------------------------------------------------------


def basic(user_password: str) -> str:
    return "Basic " + base64.b64encode(user_password.encode()).decode()


def test_sign_in_when_a_password_is_set(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth="alice:s3cret-pass")
    got = client.get("/v1/models")
    assert got.status_code == 401
    assert got.headers["www-authenticate"].startswith("Basic")
    problem = error(got)
    assert problem["type"] == "authentication_error" and "sign-in required" in problem["message"]
    assert "Bearer <password>" in problem["message"]
    for wrong in ("Bearer wrong", "Bearer alice:s3cret-pass", basic("alice:wrong"), "Basic ???"):
        got = client.get("/v1/models", headers={"Authorization": wrong})
        assert got.status_code == 401 and "wrong credentials" in error(got)["message"]
    for right in ("Bearer s3cret-pass", basic("alice:s3cret-pass")):
        got = client.get("/v1/models", headers={"Authorization": right})
        assert got.status_code == 200, right
    # the docs and every endpoint are behind it; auth comes before parsing the body
    assert client.get("/docs").status_code == 401
    assert client.get("/openapi.json").status_code == 401
    assert post_raw(client, "/v1/chat/completions", b"{oops").status_code == 401
    got = client.post(
        "/v1/chat/completions", json=chat_body(), headers={"Authorization": "Bearer s3cret-pass"}
    )
    assert got.status_code == 200 and "46 billion" in got.text


def test_other_host_names_are_refused_without_a_password(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(base_url="http://rebound.example:7860")
    got = client.get("/v1/models")
    assert got.status_code == 403 and error(got)["code"] == "host_not_allowed"
    for name in ("http://localhost:7860", "http://[::1]:7860", LOCAL):
        assert make_client(base_url=name).get("/v1/models").status_code == 200, name
    # with a password any host name is fine (the server may be behind a proxy)
    signed = make_client(base_url="http://news.example", auth="alice:s3cret-pass")
    got = signed.get("/v1/models", headers={"Authorization": "Bearer s3cret-pass"})
    assert got.status_code == 200


# -- failures of the model or the server ----------------------------------------------


def test_model_server_outage_gets_the_labelled_quoted_answer(
    make_client: Callable[..., TestClient],
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    client = make_client(llm="openai", openai_base_url=dead, llm_timeout=5.0)
    got = client.post("/v1/chat/completions", json=chat_body())
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["newsqa"]["backend"] == "extractive" and body["newsqa"]["fallback_reason"]
    content = body["choices"][0]["message"]["content"]
    assert "46 billion" in content and "(Quoted from the articles: the model server" in content
    with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as streamed:
        chunks = [json.loads(x[6:]) for x in streamed.iter_lines() if x and x != "data: [DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert streamed.status_code == 200 and "(Quoted from the articles: the model" in text


def test_a_missing_local_model_is_503_with_the_reason(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = make_client(llm="local", gguf=tmp_path / "missing.gguf")
    got = client.post("/v1/chat/completions", json=chat_body())
    assert got.status_code == 503, got.text
    assert "missing.gguf" in error(got)["message"]
    with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as streamed:
        lines = [line for line in streamed.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert "missing.gguf" in json.loads(lines[-2][6:])["error"]["message"]


def test_a_full_line_is_503_with_retry_after() -> None:
    async def main() -> None:
        gate = Gate(slots=1, max_waiting=0)
        async with gate.slot():
            with pytest.raises(Busy):
                async with gate.slot():
                    pass
        async with gate.slot():  # free again
            pass

    anyio.run(main)
    refused = as_api_error(Busy("busy"))
    assert refused.status == 503 and refused.headers == {"Retry-After": "5"}


# -- articles --------------------------------------------------------------------------


def test_add_list_search_and_delete_articles(client: TestClient) -> None:
    record = {
        "title": "Harbour reopens after the storm",
        "body": "The harbour of Port Ellis reopened on Monday after the winter storm. "
        "Fishing boats returned within hours, the harbour master said.",
        "source": "Tide Times",
        "published_at": "2024-05-01",
        "url": "https://tide.example/harbour",
    }
    got = client.post("/v1/articles", json={"records": [record, {"title": "no body"}]})
    assert got.status_code == 200, got.text
    report = got.json()
    assert len(report["added"]) == 1
    [failed] = report["failed"]
    assert failed["origin"] == "records:2" and "tmp" not in json.dumps(report)
    new_id = report["added"][0]

    listed = client.get("/v1/articles").json()
    assert listed["count"] == 2
    assert {a["title"] for a in listed["articles"]} >= {record["title"]}

    found = client.get("/v1/search", params={"q": "When did the harbour reopen?", "k": 1})
    assert found.json()["passages"][0]["outlet"] == "Tide Times"

    again = client.post("/v1/articles", json={"records": [record]}).json()
    assert again["unchanged"] == [new_id]

    assert client.delete(f"/v1/articles/{new_id}").json() == {"deleted": new_id}
    gone = client.delete(f"/v1/articles/{new_id}")
    assert gone.status_code == 404 and new_id in error(gone)["message"]
    assert client.get("/v1/articles").json()["count"] == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "seeds/", "ftp://x.org/a"])
def test_only_web_urls_can_be_added(client: TestClient, url: str) -> None:
    got = client.post("/v1/articles", json={"urls": [url]})
    assert got.status_code == 400
    assert error(got)["param"] == "urls" and "http:// or https://" in error(got)["message"]


def test_private_urls_are_not_fetched(client: TestClient) -> None:
    got = client.post("/v1/articles", json={"urls": [f"http://127.0.0.1:{free_port()}/a"]})
    assert got.status_code == 200
    [failed] = got.json()["failed"]
    assert failed["origin"].startswith("http://127.0.0.1")


def test_nothing_to_add_is_400(client: TestClient) -> None:
    got = client.post("/v1/articles", json={})
    assert got.status_code == 400 and "records" in error(got)["message"]


def test_chat_mounts_with_the_launch_options() -> None:
    from ui.app import launch_options, mount_options

    settings = Settings(host="127.0.0.1", port=7999, max_bytes=1234, auth="u:p")
    mount = mount_options(settings)
    assert set(launch_options(settings)) - set(mount) == {"share", "quiet"}
    assert mount["auth"] == ("u", "p") and mount["max_file_size"] == 1234
