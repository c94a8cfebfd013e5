"""Real clients against a real ``newsqa serve``, ``newsqa chat`` and ``newsqa mcp``:
the official ``openai`` client, LangChain's ``ChatOpenAI``, plain HTTP, and an MCP
client session. Extractive backend, over the seed article (the G7 loan story).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from langchain_openai import ChatOpenAI
from openai import AuthenticationError, BadRequestError, NotFoundError, OpenAI

from tests.conftest import ROOT, free_port
from tests.conftest import subprocess_env as server_env
from tests.ui.ui_helpers import Server, copy_home, start_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
G7 = "How large is the G7 loan package for Ukraine?"
NEWSQA = str(Path(sys.executable).with_name("newsqa"))


def openai_client(server: Server, api_key: str = "not-needed") -> OpenAI:
    return OpenAI(base_url=f"{server.url}v1", api_key=api_key, max_retries=0, timeout=120)


def test_openai_client_gets_the_cited_answer(api_server: Server) -> None:
    client = openai_client(api_server)
    assert [m.id for m in client.models.list()] == ["newsqa"]
    done = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": G7}]
    )
    content = done.choices[0].message.content or ""
    assert "46 billion" in content and "[1]" in content and "\n\nSources:\n[1] " in content
    citations: list[dict[str, Any]] = (done.model_extra or {})["citations"]
    assert citations[0]["n"] == 1 and "46 billion" in citations[0]["quote"]
    assert done.choices[0].finish_reason == "stop" and done.model == "newsqa"


def test_openai_client_streams_the_cited_answer(api_server: Server) -> None:
    client = openai_client(api_server)
    stream = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": G7}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "46 billion" in text and "Sources:" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert "46 billion" in (last.model_extra or {})["citations"][0]["quote"]


def test_openai_client_extra_body_and_errors(api_server: Server) -> None:
    client = openai_client(api_server)
    none = client.chat.completions.create(
        model="newsqa",
        messages=[{"role": "user", "content": G7}],
        extra_body={"sources": ["Nowhere Daily"], "k": 3},
    )
    assert (none.model_extra or {})["citations"] == []
    assert "don't cover" in (none.choices[0].message.content or "")
    with pytest.raises(NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": G7}])
    with pytest.raises(BadRequestError, match="the question is empty"):
        client.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": " "}])


def test_langchain_chat_openai_gets_the_cited_answer(api_server: Server) -> None:
    llm = ChatOpenAI(
        base_url=f"{api_server.url}v1", api_key="not-needed", model="newsqa", max_retries=0
    )
    reply = llm.invoke(G7)
    assert "46 billion" in str(reply.content) and "Sources:" in str(reply.content)
    streamed = "".join(str(chunk.content) for chunk in llm.stream(G7))
    assert "46 billion" in streamed and "[1]" in streamed


def test_plain_http_endpoints(api_server: Server) -> None:
    with httpx.Client(base_url=api_server.url, timeout=120) as http:
        with http.stream(
            "POST",
            "/v1/chat/completions",
            json={"model": "newsqa", "stream": True, "messages": [{"role": "user", "content": G7}]},
        ) as sse:
            lines = [line for line in sse.iter_lines() if line]
        assert all(line.startswith("data: ") for line in lines)
        assert lines[-1] == "data: [DONE]"

        answer = http.post("/v1/answer", json={"question": G7}).json()
        assert "46 billion" in answer["citations"][0]["quote"]
        passages = http.get("/v1/search", params={"q": "G7 loan", "k": 2}).json()["passages"]
        assert any("46 billion" in p["text"] for p in passages)
        assert http.get("/v1/articles").json()["count"] == 1
        assert http.get("/docs").status_code == 200

        bad = http.post(
            "/v1/chat/completions", content=b"{nope", headers={"content-type": "application/json"}
        )
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
        big = http.post("/v1/answer", json={"question": "x" * 1_100_000})
        assert big.status_code == 413 and "limit" in big.json()["error"]["message"]


def test_serve_with_a_password(seed_home: Path, tmp_path: Path) -> None:
    home = copy_home(seed_home, tmp_path / "home")
    port = free_port()
    env = server_env(home, NEWSQA_AUTH="alice:s3cret-pass", NEWSQA_LLM="extractive")
    server = start_server([NEWSQA, "serve", "--port", str(port)], home, tmp_path / "log", env)
    try:
        assert "(sign-in required)" in server.output()
        with pytest.raises(AuthenticationError, match="wrong credentials"):
            openai_client(server, api_key="guess").models.list()
        signed = openai_client(server, api_key="s3cret-pass")
        done = signed.chat.completions.create(
            model="newsqa", messages=[{"role": "user", "content": G7}]
        )
        assert "46 billion" in (done.choices[0].message.content or "")
        missing = httpx.get(f"{server.url}v1/models")
        assert missing.status_code == 401 and "sign-in required" in missing.text
        basic = httpx.get(f"{server.url}v1/models", auth=("alice", "s3cret-pass"))
        assert basic.status_code == 200
    finally:
        server.stop()


def test_serve_refuses_a_public_address_without_a_password(tmp_path: Path) -> None:
    done = subprocess.run(
        [NEWSQA, "serve", "--host", "0.0.0.0", "--port", str(free_port()), "--llm", "extractive"],
        env=server_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a password" in done.stderr


def test_chat_serves_the_api_beside_the_chat(seed_home: Path, tmp_path: Path) -> None:
    home = copy_home(seed_home, tmp_path / "home")
    port = free_port()
    args = [NEWSQA, "chat", "--port", str(port), "--llm", "extractive"]
    server = start_server(args, home, tmp_path / "log")
    try:
        page = httpx.get(server.url, timeout=60)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        done = openai_client(server).chat.completions.create(
            model="newsqa", messages=[{"role": "user", "content": G7}]
        )
        assert "46 billion" in (done.choices[0].message.content or "")
        assert f"newsqa API on http://127.0.0.1:{port}/v1" in server.output()
    finally:
        server.stop()


def test_mcp_client_lists_and_calls_both_tools(seed_home: Path, tmp_path: Path) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    home = copy_home(seed_home, tmp_path / "home")
    params = StdioServerParameters(
        command=NEWSQA,
        args=["mcp", "--llm", "extractive"],
        env=server_env(home),
        cwd=str(ROOT),
    )

    async def session_run() -> dict[str, Any]:
        with (tmp_path / "mcp-stderr.log").open("w") as errors:
            async with (
                stdio_client(params, errlog=errors) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                tools = {t.name: t for t in (await session.list_tools()).tools}
                found = await session.call_tool("search_news", {"query": "G7 loan", "k": 2})
                answered = await session.call_tool("answer_news_question", {"question": G7})
                empty = await session.call_tool("answer_news_question", {"question": " "})
                return {"tools": tools, "found": found, "answered": answered, "empty": empty}

    got = anyio.run(session_run)
    tools = got["tools"]
    assert set(tools) == {"search_news", "answer_news_question"}
    assert set(tools["answer_news_question"].input_schema["properties"]) == {"question", "as_of"}
    assert tools["search_news"].output_schema and tools["answer_news_question"].output_schema

    found = got["found"]
    assert not found.is_error and "46 billion" in found.content[0].text
    assert len(found.structured_content["passages"]) == 2

    answered = got["answered"]
    assert not answered.is_error
    assert "46 billion" in answered.content[0].text and "Sources:" in answered.content[0].text
    data = answered.structured_content
    assert data["declined"] is False and "46 billion" in data["citations"][0]["quote"]
    assert "[1]" in data["answer"]

    assert got["empty"].is_error and "the question is empty" in got["empty"].content[0].text
